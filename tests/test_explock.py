"""One writer per experiment directory: a second run is a one-line error naming the holder, and
a killed holder leaves no stale lock."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.explock import LOCK_NAME, exp_lock
from spoofcm.train.trainer import RunArgs, run_training


def test_a_second_holder_is_refused_with_the_first_named(tmp_path: Path) -> None:
    exp = tmp_path / "exp" / "m_seed0"
    with exp_lock(exp, "spoofcm-train"):
        with pytest.raises(SpoofcmError, match=r"m_seed0: in use by spoofcm-train \(pid \d+ on "):
            with exp_lock(exp, "spoofcm-train"):
                pass
    with exp_lock(exp, "again"):   # released on exit
        assert "again" in (exp / LOCK_NAME).read_text()


def test_training_refuses_an_experiment_another_run_holds(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    args = RunArgs(data_dir=tmp_path / "data", dump_dir=None, exp=exp, resume=True)
    with exp_lock(exp, "spoofcm-train"):
        with pytest.raises(SpoofcmError, match="in use by spoofcm-train"):
            run_training({}, args)   # refused before the config or the data are read


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    exp = tmp_path / "exp"
    code = ("import sys, time\nfrom spoofcm.explock import exp_lock\n"
            f"with exp_lock({str(exp)!r}, 'holder'):\n    print('held', flush=True)\n"
            "    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(SpoofcmError, match="in use by holder"):
            with exp_lock(exp, "second"):
                pass
    finally:
        proc.kill()
        proc.wait()
    deadline = time.time() + 10
    while True:   # the kernel drops the lock with the process
        try:
            with exp_lock(exp, "after"):
                break
        except SpoofcmError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def test_a_file_system_without_locks_warns_and_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    import errno
    import fcntl

    def no_locks(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with exp_lock(tmp_path / "exp", "spoofcm-train") as path:
        assert path.name == LOCK_NAME
    assert "has no locks" in capsys.readouterr().err
    # an error of the guarded work is its own, not chained to the flock failure
    with pytest.raises(ValueError) as info:
        with exp_lock(tmp_path / "exp", "spoofcm-train"):
            raise ValueError("training failed")
    assert info.value.__context__ is None
