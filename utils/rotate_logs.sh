#!/usr/bin/env bash
# rotate_logs.sh: keep every earlier attempt's log before a job writes it again (written for
# spoofcm). For each FILE that exists: FILE.N -> FILE.N+1 (highest first), then FILE -> FILE.1,
# so FILE.1 is the attempt before the one about to run and nothing is ever overwritten.
# Usage: utils/rotate_logs.sh FILE [FILE ...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 FILE [FILE ...]" >&2; exit 1; }
for f in "$@"; do
  [ -e "${f}" ] || continue
  n=1
  while [ -e "${f}.${n}" ]; do n=$((n + 1)); done
  while [ "${n}" -gt 1 ]; do mv "${f}.$((n - 1))" "${f}.${n}"; n=$((n - 1)); done
  mv "${f}" "${f}.1"
done
