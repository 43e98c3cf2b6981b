#!/usr/bin/env bash
# Source me. run_stages_with_stats FIRST LAST DIR... -- CMD...: for each stage s of FIRST..LAST
# (at most 0..5), runs `CMD --stage s --stop-stage s` with SPOOFCM_IN_STAGE=1 (and
# SPOOFCM_STOP_STAGE=LAST for run.sh's resume hint) under `python -m spoofcm.stagestats`, whose
# last line in the log is
#   stage s: wall 12.3 s (CPU 20.1 s), peak RSS 812.40 MB, wrote 1.23 GB (data dump exp)
# (peak RSS: the largest process of the stage's tree; wrote: growth of the DIR trees).
# Stops at the first failing stage with its exit status. run.sh calls it once, on entry.
run_stages_with_stats() {
  local first=$1 last=$2 dirs=() s
  shift 2
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do dirs+=(--dir "$1"); shift; done
  [ "${1:-}" = "--" ] || { echo "run_stages_with_stats: error: expected -- CMD" >&2; return 1; }
  shift
  [ "${first}" -ge 0 ] || first=0
  [ "${last}" -le 5 ] || last=5
  for ((s = first; s <= last; s++)); do
    SPOOFCM_IN_STAGE=1 SPOOFCM_STOP_STAGE=${last} python -m spoofcm.stagestats --name "stage ${s}" ${dirs[@]+"${dirs[@]}"} -- \
      "$@" --stage "${s}" --stop-stage "${s}" || return $?
  done
}
