#!/usr/bin/env bash
# The embedded mini recipe: generates a small corpus in the ASVspoof 2019 LA / 2021 LA+DF
# layouts (real recorded speech + real TTS/vocoder/codec spoofs), a random tiny SSL checkpoint
# in fairseq format, and runs stages 0-5 of the shared driver on both LA-like and DF-like eval.
#   egs/mini/run.sh [--mini-size default|tiny] [any option of the driver, see ../../run.sh --help]
# The corpus size is this recipe's only own option; MINI_SIZE in the environment sets its default.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mini_size=${MINI_SIZE:-default}
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --mini-size) [ $# -ge 2 ] || { echo "$0: error: --mini-size needs a value" >&2; exit 1; }
                 mini_size=$2; shift 2 ;;
    --mini-size=*) mini_size=${1#--mini-size=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
case "${mini_size}" in default|tiny) ;; *) echo "$0: error: --mini-size must be default or tiny, got '${mini_size}'" >&2; exit 1 ;; esac
# where the corpus lives: read by db.sh and by the stage-0 hook (local/stage0_hook.sh)
export MINI_ROOT=${MINI_ROOT:-${here}/db/${mini_size}} MINI_SIZE=${mini_size}
export MINI_SSL_CHECKPOINT=${here}/db/tiny_xlsr.pt
exec "${here}/../../run.sh" --recipe-dir "${here}" --track both \
  --train-config conf/train/mini.yaml --recipe-config "${here}/conf/mini.yaml" \
  --ssl-checkpoint "${MINI_SSL_CHECKPOINT}" \
  --models "${MINI_MODELS:-fusion_cbam_resnet18}" ${args[@]+"${args[@]}"}
