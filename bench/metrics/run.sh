#!/usr/bin/env bash
# Metrics benchmark: pooled + decomposed ASVspoof 2021 evaluation of LA-size (181,566 trials,
# with precomputed C0/C1/C2 and recomputed from 785,281 ASV trials) and DF-size (611,829)
# synthetic cases, spoofcm.metrics vs a per-cell re-sort reference run side by side; then the
# ASVspoof 5 cases (1,000,000 Track 1 trials; 20,000 Track 2 trials) vs bench/metrics/
# reference_asvspoof5.py. Wall time (work only) and peak RSS per process; fails if any number
# differs.
#   bash bench/metrics/run.sh [workdir]      (default bench/out/metrics; data generated once)
#   ONLY=asvspoof5 bash bench/metrics/run.sh   (just the ASVspoof 5 cases; ONLY=2021 the others)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${root}"
[ -n "${VIRTUAL_ENV:-}" ] || . ./path.sh
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
[ "${ONLY:-}" = asvspoof5 ] || python bench/metrics/bench.py "$@"
[ "${ONLY:-}" = 2021 ] || python bench/metrics/bench_asvspoof5.py "$@"
