"""parse_options.sh checks a value against the type of the option's default (issue 14, class 1),
and run.sh refuses bad values before anything runs."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers.uthelp import REPO, UTILS, write_exe

SCRIPT = f"""#!/usr/bin/env bash
set -euo pipefail
nj=4              # an integer
lr=0.5            # a number
use_gpu=false     # a boolean
name=x            # free text
. {UTILS}/parse_options.sh
echo "nj=$nj lr=$lr use_gpu=$use_gpu name=$name"
"""


def run(script: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=10)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return write_exe(tmp_path / "demo.sh", SCRIPT)


@pytest.mark.parametrize("args, message", [
    (["--nj", "abc"], "demo.sh: error: --nj takes an integer, got 'abc'"),
    (["--nj=2.5"], "demo.sh: error: --nj takes an integer, got '2.5'"),
    (["--lr", "fast"], "demo.sh: error: --lr takes a number, got 'fast'"),
    (["--use-gpu", "1"], "demo.sh: error: --use-gpu takes true or false, got '1'"),
])
def test_value_of_the_wrong_type_is_one_line_error(demo: Path, args, message) -> None:
    res = run(demo, *args)
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.strip() == message


def test_values_of_the_right_type_and_free_text_pass(demo: Path) -> None:
    res = run(demo, "--nj", "-3", "--lr", "1e-4", "--use-gpu", "true", "--name", "12 ab")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "nj=-3 lr=1e-4 use_gpu=true name=12 ab"


def test_config_file_values_are_type_checked(demo: Path, tmp_path: Path) -> None:
    conf = tmp_path / "x.conf"
    conf.write_text("nj=many\n")
    res = run(demo, "--config", str(conf))
    assert res.returncode == 1
    assert res.stderr.strip() == f"demo.sh: error: {conf}: nj takes an integer, got 'many'"


@pytest.mark.parametrize("args, message", [
    (["--stage", "abc"], "run.sh: error: --stage takes an integer, got 'abc'"),
    (["--nj", "0"], "run.sh: error: --nj must be at least 1, got '0'"),
    (["--stage", "3", "--stop-stage", "2"], "run.sh: error: --stop-stage 2 is before --stage 3"),
])
def test_run_sh_refuses_bad_values_before_set_up(args, message, tmp_path: Path) -> None:
    # --skip-setup is NOT passed: the error must come before set-up would start
    res = subprocess.run([str(REPO / "run.sh"), "--recipe-dir", str(tmp_path), *args],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert res.stderr.strip().startswith(message), res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert res.stdout == ""


def test_resume_hint_after_the_last_stage_says_all_done(tmp_path: Path) -> None:
    tag = "lfcc_gmm_default_seed0"
    for s in ("dev", "eval_la21"):
        d = tmp_path / "exp" / tag / "scores" / s
        d.mkdir(parents=True)
        (d / "score.txt").write_text("u 1.0\n")
        (d / ".done").write_text("")
    res = subprocess.run([str(REPO / "run.sh"), "--recipe-dir", str(tmp_path), "--model",
                          "lfcc_gmm", "--stage", "4", "--stop-stage", "4", "--skip-setup", "true"],
                         capture_output=True, text=True, timeout=60, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert "--stage 5 --stop-stage 4" not in res.stdout
    assert "all stages done (up to --stop-stage 4)" in res.stdout
