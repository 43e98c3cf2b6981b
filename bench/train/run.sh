#!/usr/bin/env bash
# Training throughput and peak memory of fusion_cbam_resnet18 on CPU from cached features
# (random XLS-R-width D=1024 arrays at the full model size; tiny-SSL width 64 at the mini size),
# each against loading the same batches alone; then the real-time factor of spoofcm-score's
# path with the full XLS-R 300M architecture (random init) on CPU, against the SSL forward
# alone. One JSON line per measurement, also saved to bench/out/train/results.jsonl.
#   bench/train/run.sh [--quick]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${root}"
[ -f path.sh ] && . ./path.sh
out=bench/out/train
mkdir -p "${out}"
steps=3; files=2
[ "${1:-}" = "--quick" ] && { steps=1; files=1; }
: > "${out}/results.jsonl"
run() { python bench/train/bench_train.py "$@" | tee -a "${out}/results.jsonl"; }
run train --size full --batch 8 --steps "${steps}" --threads 1
run train --size mini --batch 16 --steps "${steps}" --threads 1
run train --size full --batch 8 --steps "${steps}" --threads 2
run score --files "${files}" --seconds 4 --threads 1 --preset xlsr_300m
echo "results: ${out}/results.jsonl"
