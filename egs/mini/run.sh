#!/usr/bin/env bash
# The embedded mini recipe: generates a small corpus in the ASVspoof 2019 LA / 2021 LA+DF
# layouts (real recorded speech + real TTS/vocoder/codec spoofs), a random tiny SSL checkpoint
# in fairseq format, and runs stages 0-5 of the shared driver on both LA-like and DF-like eval.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mini_size=${MINI_SIZE:-default}
for ((i = 1; i <= $#; i++)); do [ "${!i}" = "--mini-size" ] && { j=$((i + 1)); mini_size=${!j}; }; done
export MINI_SIZE=${mini_size}
exec "${here}/../../run.sh" --recipe-dir "${here}" --track both \
  --train-config conf/train/mini.yaml --recipe-config "${here}/conf/mini.yaml" \
  --ssl-checkpoint "${here}/db/tiny_xlsr.pt" --make-tiny-ssl true --mini-size "${mini_size}" \
  --models "${MINI_MODELS:-fusion_cbam_resnet18}" "$@"
