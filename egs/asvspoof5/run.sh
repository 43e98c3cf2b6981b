#!/usr/bin/env bash
# ASVspoof 5 Track 1: train on the ASVspoof 5 training set (dev.track_1 for model selection and
# calibration), evaluate on eval.track_1: the 2021-style tables plus the ASVspoof 5 Track 1
# metrics (min DCF, EER, Cllr, actual DCF) pooled, per attack and per codec condition
# (exp/<tag>/results/eval_asv5/track1.md). Edit db.sh to point at your copy of the release.
#   ./run.sh --stage 0 --stop-stage 5 --models "fusion_cbam_resnet18"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${here}/../../run.sh" --recipe-dir "${here}" --track ASV5 \
  --train-config conf/train/default.yaml --recipe-config "${here}/conf/asv5.yaml" "$@"
