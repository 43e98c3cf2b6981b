#!/usr/bin/env bash
# GPU check (<= 5 min on one GPU): the eval scoring path without a feature cache. XLS-R 300M
# architecture (random init, fairseq layout read through spoofcm.ssl.load) and the log-mel are
# computed on the GPU for batches of realistic-length utterances grouped by length, the SSL layer
# is rounded to float16 as the cache is, and the full-size fusion_cbam_resnet18 scores them.
# Prints one JSON line per dtype (bf16, fp32): eval utterances/s, audio seconds/s, peak GPU memory.
#   bench/gpu_score.sh [--utts 2000] [--max-batch-seconds 160] [--data data/eval_df21]
# Exit codes: 0 done; 2 no CUDA device (nvidia-smi missing or torch.cuda unavailable), with a
# one-line message; 124 the 5-minute limit was hit; anything else: the benchmark failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"
[ -f path.sh ] && . ./path.sh
. "$(dirname "${BASH_SOURCE[0]}")/require_gpu.sh"
require_gpu gpu_score.sh
out=bench/out/score
mkdir -p "${out}"
timeout 300 python bench/score/gpu_score.py "$@" | tee "${out}/gpu_results.jsonl"
echo "results: ${out}/gpu_results.jsonl"
