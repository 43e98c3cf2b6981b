#!/usr/bin/env bash
# GPU check (<= 5 min on one GPU): trains the full-size fusion_cbam_resnet18 for a fixed number
# of steps in bf16 (Adam, cross-entropy, 4 s crops) and prints one JSON line per variant with
# steps/s, utterances/s and peak GPU memory (torch.cuda.max_memory_allocated):
#   frozen   - SSL features from the cache (random XLS-R-width D=1024 arrays), batch 32
#   finetune - XLS-R 300M architecture (random init, fairseq layout read through
#              spoofcm.ssl.load) inside the model, raw waveforms in, batch 14 (SSL-AASIST),
#              lr 1e-6 on the encoder and 1e-4 on the back end
#   bench/gpu_train.sh [--steps 20] [--compile]
# Exits non-zero with a clear message when no CUDA device is present.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"
[ -f path.sh ] && . ./path.sh
steps=20; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --compile) extra+=(--compile); shift ;;
    *) echo "gpu_train.sh: error: unknown option '$1'" >&2; exit 1 ;;
  esac
done
. "$(dirname "${BASH_SOURCE[0]}")/require_gpu.sh"
require_gpu gpu_train.sh
out=bench/out/train
mkdir -p "${out}"
: > "${out}/gpu_results.jsonl"
timeout 120 python bench/train/bench_train.py gpu --variant frozen --batch 32 --steps "${steps}" \
  "${extra[@]}" | tee -a "${out}/gpu_results.jsonl"
timeout 170 python bench/train/bench_train.py gpu --variant finetune --batch 14 --steps "${steps}" \
  "${extra[@]}" | tee -a "${out}/gpu_results.jsonl"
echo "results: ${out}/gpu_results.jsonl"
