"""--ngpu N through the recipe: checked before any job starts on a local run, and GPU jobs
carry their request through ${cuda_cmd} (stand-in Slurm sees --gres=gpu:1)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import torch

from helpers import tinycm
from helpers.uthelp import REPO

pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without GPUs")


def recipe(tmp_path: Path) -> Path:
    """A recipe folder with train and dev data dirs (real audio) and a tiny SSL checkpoint."""
    from spoofcm.ssl.fairseq_write import write_random_checkpoint
    root = tmp_path / "egs" / "r"
    for name in ("train", "dev"):
        tinycm.write_set(root, name, [8000, 12000], ["bonafide", "spoof"])
    write_random_checkpoint(root / "tiny.pt", "tiny", 0)
    return root


def run_sh(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run([str(REPO / "run.sh"), "--recipe-dir", str(root), "--skip-setup", "true",
                           "--nj", "2", "--ssl-checkpoint", str(root / "tiny.pt"), *args],
                          capture_output=True, text=True, env=full, timeout=300)


def test_dump_ssl_takes_several_gpus_and_fails_in_one_line_without_them(tmp_path, capsys):
    """Defect: spoofcm-dump-ssl accepted only --ngpu 0 or 1, so run.sh --ngpu 2 stopped at stage 2."""
    from spoofcm.bin.dump_ssl import main as dump_ssl
    root = recipe(tmp_path)
    rc = dump_ssl(["--data", str(root / "data" / "train"), "--out", str(tmp_path / "o"),
                   "--checkpoint", str(root / "tiny.pt"), "--ngpu", "2", "--job", "2", "--nj", "2"])
    err = capsys.readouterr().err
    assert rc == 1 and "--ngpu 2 but no CUDA device is visible" in err and "Traceback" not in err


def test_local_run_with_more_gpus_than_present_stops_before_any_job(tmp_path):
    root = recipe(tmp_path)
    res = run_sh(root, "--ngpu", "2", "--stage", "2", "--stop-stage", "2")
    assert res.returncode != 0
    assert "--ngpu 2 but 0 CUDA device(s) are visible" in res.stderr
    assert "stage 2:" not in res.stdout and not list((root / "dump" / "ssl").glob("*/train/log"))


def test_gpu_jobs_carry_the_request_to_the_scheduler(tmp_path, fake_scheduler):
    """Defect: sharded stage jobs went through ${train_cmd} without a GPU request."""
    env, record = fake_scheduler
    root = recipe(tmp_path)
    res = run_sh(root, "--ngpu", "1", "--stage", "2", "--stop-stage", "2",
                 env={**env, "SPOOFCM_CMD_BACKEND": "slurm"})
    calls = record.read_text().splitlines()
    assert calls and all("--gres=gpu:1" in c for c in calls), calls
    assert res.returncode != 0  # the stand-in ran the job here, where there is no GPU
    logs = list((root / "dump" / "ssl").glob("*/train/log/dump.1.log"))
    assert logs and "no CUDA device is visible" in logs[0].read_text()
