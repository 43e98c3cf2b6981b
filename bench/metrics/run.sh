#!/usr/bin/env bash
# Metrics benchmark: pooled + decomposed ASVspoof 2021 evaluation of LA-size (181,566 trials,
# with precomputed C0/C1/C2 and recomputed from 785,281 ASV trials) and DF-size (611,829)
# synthetic cases, spoofcm.metrics vs a per-cell re-sort reference run side by side.
# Wall time (work only) and peak RSS per process; fails if any number differs.
#   bash bench/metrics/run.sh [workdir]      (default bench/out/metrics; data generated once)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${root}"
[ -n "${VIRTUAL_ENV:-}" ] || . ./path.sh
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
python bench/metrics/bench.py "$@"
