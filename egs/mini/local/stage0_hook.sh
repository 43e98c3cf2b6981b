#!/usr/bin/env bash
# Stage-0 hook of the mini recipe (the driver runs <recipe>/local/stage0_hook.sh when present):
# generate the corpus at ${MINI_ROOT} (size ${MINI_SIZE}) and write the random tiny fairseq-format
# SSL checkpoint ${MINI_SSL_CHECKPOINT}, each only when missing. egs/mini/run.sh exports all three.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MINI_ROOT:?set by egs/mini/run.sh}" "${MINI_SIZE:?}" "${MINI_SSL_CHECKPOINT:?}"
"${here}/prepare_corpus.sh" --size "${MINI_SIZE}" --seed 0 --out "${MINI_ROOT}"
if [ ! -e "${MINI_SSL_CHECKPOINT}" ]; then
  echo "$(date '+%Y-%m-%d %H:%M:%S') [stage0_hook] writing a random tiny fairseq-format SSL checkpoint to ${MINI_SSL_CHECKPOINT}"
  spoofcm-make-tiny-ssl --out "${MINI_SSL_CHECKPOINT}" --seed 0
fi
