#!/usr/bin/env bash
# GPU check (<= 5 min on one GPU): XLS-R 300M architecture (random weights, written in fairseq's
# checkpoint layout and read back through spoofcm.ssl.load) extracting features in bf16 on CUDA.
# Prints one JSON line: utterances/s, audio seconds/s, peak GPU memory (max_memory_allocated).
#   bench/gpu_ssl.sh [--batch 16] [--batches 30] [--seconds 4] [--checkpoint xlsr2_300m.pt]
# Exits non-zero with a clear message when no CUDA device is present.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -f "${root}/path.sh" ] && . "${root}/path.sh"
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu_ssl.sh: error: no NVIDIA GPU here (nvidia-smi not found); run this on a GPU machine" >&2
  exit 2
fi
exec timeout 300 python "${root}/bench/ssl/gpu_bench.py" "$@"
