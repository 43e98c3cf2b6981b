"""Relaunching training keeps every attempt's log (issue 14, class 9): train.log of the
killed attempt becomes train.log.1, the one before it train.log.2, and so on."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers.uthelp import REPO, UTILS, write_exe


def test_rotate_logs_shifts_and_never_overwrites(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    for text in ("first", "second", "third"):
        subprocess.run([str(UTILS / "rotate_logs.sh"), str(log)], check=True)
        log.write_text(text)
    assert [log.read_text(), (tmp_path / "train.log.1").read_text(),
            (tmp_path / "train.log.2").read_text()] == ["third", "second", "first"]


def test_relaunched_training_keeps_the_killed_attempts_log(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    write_exe(bindir / "spoofcm-train", "#!/usr/bin/env bash\necho \"attempt $ATTEMPT: $*\"\n")
    log = tmp_path / "exp" / "train.log"
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{UTILS}{os.pathsep}{os.environ['PATH']}",
           "cuda_cmd": str(UTILS / "run.pl")}
    for attempt in ("1", "2"):
        res = subprocess.run([str(REPO / "local" / "launch_train.sh"), "--log", str(log), "--",
                              "--resume"], env={**env, "ATTEMPT": attempt}, capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 0, res.stderr
    assert "attempt 2: --device cpu --resume" in log.read_text()
    assert "attempt 1: --device cpu --resume" in (log.parent / "train.log.1").read_text()
