#!/usr/bin/env bash
# Real-time factor of exported detectors (TorchScript, ONNX on onnxruntime) against the eager
# PyTorch model on the same audio and windows, on CPU, one thread; ratio measured in the same run.
#   bench/export/run.sh [--exp exp/<tag> ...] [--models m1 m2] [--seconds 6] [--threads 1]
# Without --exp: mini-size models with random weights (fusion_cbam_resnet18, rawnet2, lfcc_lcnn).
# Results: one JSON line per model and format, also in bench/out/export/results.jsonl.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${root}"
[ -n "${VIRTUAL_ENV:-}" ] || . ./path.sh
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
exec python bench/export/bench.py "$@"
