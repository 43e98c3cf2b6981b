#!/usr/bin/env bash
# Generate the mini corpus in the official ASVspoof 2019/2021 and ASVspoof 5 layouts and the
# In-the-Wild layout under egs/mini/db/<size>/.
# Idempotent: exits at once when that size is complete (db/<size>/.done).
#   egs/mini/local/prepare_corpus.sh [--size default|tiny] [--seed N] [--nj 2] [--out DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv_py=${here}/../../../.venv/bin/python
if [ -n "${VIRTUAL_ENV:-}" ]; then py=python
elif [ -x "${venv_py}" ]; then py=${venv_py}
else py=python3
fi
if [ $# -gt 0 ] && { [ "$1" = "--help" ] || [ "$1" = "-h" ]; }; then
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
fi
exec "${py}" "${here}/generate_corpus.py" "$@"
