"""Helpers for the utils/ tests: run a script by path; stand-in schedulers for PATH.

The stand-ins record their arguments (one line per call) and run the submitted job script
for each array task, as sbatch/qsub would on a cluster, so the launchers are tested end to
end without a scheduler.
"""
from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
UTILS = REPO / "utils"

FAKE_SBATCH = r"""#!/usr/bin/env bash
printf '%s\n' "$*" >> "${FAKE_SCHED_RECORD}"
array= out=
for a in "$@"; do
  case ${a} in --array=*) array=${a#--array=} ;; --output=*) out=${a#--output=} ;; esac
done
script=${!#}
array=${array%%\%*}
run() { for id in ${array//,/ }; do SLURM_ARRAY_TASK_ID=${id} bash "${script}" > "${out//%a/${id}}" 2>&1; done; }
case ${FAKE_SCHED_MODE:-sync} in
  sync) run ;;
  background) ( sleep 0.3; run ) > /dev/null 2>&1 & ;;
  drop) ;;
esac
echo "Submitted batch job 4242"
"""

FAKE_QSUB = r"""#!/usr/bin/env bash
printf '%s\n' "$*" >> "${FAKE_SCHED_RECORD}"
range= out=
while [ $# -gt 1 ]; do
  case $1 in -t) range=$2; shift ;; -o) out=$2; shift ;; esac
  shift
done
script=$1
run() { for id in $(seq "${range%-*}" "${range#*-}"); do SGE_TASK_ID=${id} bash "${script}" > "${out//\$TASK_ID/${id}}" 2>&1; done; }
case ${FAKE_SCHED_MODE:-sync} in
  sync) run ;;
  background) ( sleep 0.3; run ) > /dev/null 2>&1 & ;;
  drop) ;;
esac
echo "Your job-array 777.${range}:1 (\"job\") has been submitted"
"""

# Status commands: the job is unknown once dropped (empty squeue output, qstat exit 1);
# FAKE_STATUS=down: the scheduler cannot be reached. Messages as Slurm 22.05 and SGE 8.1.9
# print them.
FAKE_SQUEUE = r"""#!/usr/bin/env bash
if [ "${FAKE_STATUS:-}" = down ]; then
  echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2; exit 1
fi
exit 0
"""
FAKE_QSTAT = r"""#!/usr/bin/env bash
if [ "${FAKE_STATUS:-}" = down ]; then
  echo 'error: commlib error: got select error (Connection refused)' >&2; exit 1
fi
printf 'Following jobs do not exist: \n%s\n' "$2" >&2
exit 1
"""


def write_exe(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def run_util(args: list[str], cwd: Path, env: dict[str, str] | None = None,
             timeout: float = 30) -> subprocess.CompletedProcess:
    """Run utils/<args[0]> with the rest as arguments, capturing text output."""
    full_env = dict(os.environ, LC_ALL="C")
    full_env.update(env or {})
    return subprocess.run([str(UTILS / args[0]), *args[1:]], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def start_util(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start utils/<args[0]> in the background (text pipes), for jobs the test holds."""
    return subprocess.Popen([str(UTILS / args[0]), *args[1:]], cwd=cwd,
                            env={**os.environ, "LC_ALL": "C", **env}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(what: str, get: Callable[[], T], timeout: float = 30) -> T:
    """Poll ``get`` until it returns something true; fail naming ``what`` after ``timeout``."""
    end = time.monotonic() + timeout
    while not (value := get()):
        assert time.monotonic() < end, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.2)
    return value


def held_config(src: Path, dst: Path, submit: str, hold: str) -> Path:
    """A copy of a launcher config whose submit command holds every job (accepted and
    recorded by the scheduler, never started)."""
    text = src.read_text()
    assert f"\ncommand {submit} " in text, src
    dst.write_text(text.replace(f"\ncommand {submit} ", f"\ncommand {submit} {hold} "))
    return dst
