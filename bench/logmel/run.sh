#!/usr/bin/env bash
# Stage-1 throughput: FLAC decode + log-mel + ark write (spoofcm-dump-logmel's own code path)
# against the bare floor (torch.stft + power + mel matmul on the same audio, already in memory),
# both on one thread, in the same run. Targets: >= 1000x real time per core, <= 1.5x the floor.
#
#   bench/logmel/run.sh [--minutes 3] [--repeats 3]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${root}"
[ -n "${VIRTUAL_ENV:-}" ] || . ./path.sh
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
exec python bench/logmel/bench.py --workdir bench/out/logmel "$@"
