"""bench/gpu_score.sh: exits 2 with one clear line without CUDA; its Python part runs on CPU."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_script_exits_2_without_cuda():
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin")
    proc = subprocess.run(["bash", str(ROOT / "bench/gpu_score.sh")], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("gpu_score.sh: error: no CUDA device here")


@pytest.mark.slow
def test_scoring_path_runs_on_cpu_with_a_tiny_ssl():
    proc = subprocess.run([sys.executable, str(ROOT / "bench/score/gpu_score.py"), "--device", "cpu",
                           "--preset", "tiny", "--utts", "6", "--max-batch-seconds", "8",
                           "--warmup", "1"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["dtype"] for r in rows] == ["bf16", "fp32"]
    assert all(r["finite"] and r["utts_per_s"] > 0 and r["utts"] > 0 for r in rows)
