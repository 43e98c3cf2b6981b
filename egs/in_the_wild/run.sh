#!/usr/bin/env bash
# In-the-Wild (Müller et al., 2022): evaluation only. Scores the release with a model trained by
# another recipe and reports EER pooled and per speaker (per_condition.md) and the ASVspoof 5
# Track 1 metrics on scores calibrated with that recipe's dev calibration (track1.md).
# --expdir is the training recipe's exp/ folder (named exp); pass the options the model was
# trained with:
#   ./run.sh --expdir ../asvspoof2021_la/exp --models fusion_cbam_resnet18 \
#            [--train-config ... --recipe-config ... --ssl-checkpoint ...]
# Results go to <expdir>/<tag>/results/eval_itw and this recipe's exp/RESULTS.md (stage 5).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case " $* " in
  *" --expdir "*) ;;
  *) echo "$0: error: --expdir <training recipe>/exp is required (evaluation-only recipe)" >&2
     exit 1 ;;
esac
exec "${here}/../../run.sh" --recipe-dir "${here}" --track ITW \
  --train-config conf/train/default.yaml "$@"
