"""Fixtures for the utils/ tests (helpers live in uthelp.py, importable by the tests)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.uthelp import FAKE_QSTAT, FAKE_QSUB, FAKE_SBATCH, FAKE_SQUEUE, write_exe


@pytest.fixture
def fake_scheduler(tmp_path: Path):
    """PATH and record file for the stand-in sbatch/squeue/qsub/qstat."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    write_exe(bindir / "sbatch", FAKE_SBATCH)
    write_exe(bindir / "squeue", FAKE_SQUEUE)
    write_exe(bindir / "qsub", FAKE_QSUB)
    write_exe(bindir / "qstat", FAKE_QSTAT)
    record = tmp_path / "submissions.txt"
    env = {"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
           "FAKE_SCHED_RECORD": str(record), "SPOOFCM_QUEUE_POLL_MAX": "0.2"}
    return env, record
