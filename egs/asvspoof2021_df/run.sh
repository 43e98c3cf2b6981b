#!/usr/bin/env bash
# ASVspoof 2021 DF: train on ASVspoof 2019 LA train (dev for model selection), evaluate on
# 2021 DF eval. Edit db.sh to point at your corpora; nothing else needs changing.
#   ./run.sh --stage 0 --stop-stage 5 --models "fusion_cbam_resnet18 fusion_resnet18"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${here}/../../run.sh" --recipe-dir "${here}" --track DF \
  --train-config conf/train/default.yaml --recipe-config "${here}/conf/df.yaml" "$@"
