#!/usr/bin/env bash
# GPU check (<= 5 min on one GPU): XLS-R 300M architecture (random weights, written in fairseq's
# checkpoint layout and read back through spoofcm.ssl.load) extracting features in bf16 on CUDA.
# Prints one JSON line: utterances/s, audio seconds/s, peak GPU memory (max_memory_allocated).
#   bench/gpu_ssl.sh [--batch 16] [--batches 30] [--seconds 4] [--checkpoint xlsr2_300m.pt]
# Exits non-zero with a clear message when no CUDA device is present.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -f "${root}/path.sh" ] && . "${root}/path.sh"
. "$(dirname "${BASH_SOURCE[0]}")/require_gpu.sh"
require_gpu gpu_ssl.sh
exec timeout 300 python "${root}/bench/ssl/gpu_bench.py" "$@"
