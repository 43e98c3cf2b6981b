#!/usr/bin/env bash
# SSL front-end benchmark (CPU): XLS-R 300M architecture with random weights.
# Extraction speed, cache size per hour per layer, and a fusion-model epoch from the float16
# cache versus with the SSL forward on the fly (ratio measured in the same run).
#   bench/ssl/run.sh [--utts 3] [--epoch-utts 16] [--seconds 4] [--threads 1] [--workdir DIR]
# Needs ~2.5 GB of disk in the work dir (the 1.2 GB checkpoint) and ~3 GB of RAM.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "${root}/path.sh"
exec python "${root}/bench/ssl/bench_ssl.py" all "$@"
