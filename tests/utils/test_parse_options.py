"""utils/parse_options.sh: Kaldi option semantics in a script run under set -euo pipefail."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers.uthelp import UTILS, write_exe

SCRIPT = f"""#!/usr/bin/env bash
# demo.sh: prints its options.
# Usage: demo.sh [options] <in> <out>
set -euo pipefail
nj=4              # number of jobs
train_set=train   # data set to use
use_gpu=false     # run on a GPU
name="a b"
. {UTILS}/parse_options.sh
echo "nj=$nj train_set=$train_set use_gpu=$use_gpu name=$name"
echo "args=$# $*"
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return write_exe(tmp_path / "demo.sh", SCRIPT)


def run(demo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(demo), *args], capture_output=True, text=True, timeout=10)


def test_options_set_variables_and_leave_positionals(demo: Path) -> None:
    res = run(demo, "--nj", "8", "--train-set=dev", "--use-gpu", "true", "--name", "x y",
              "in.txt", "--not-an-option")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["nj=8 train_set=dev use_gpu=true name=x y",
                                       "args=2 in.txt --not-an-option"]


def test_defaults_kept_and_double_dash_ends_options(demo: Path) -> None:
    res = run(demo, "--", "--nj", "3")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["nj=4 train_set=train use_gpu=false name=a b",
                                       "args=2 --nj 3"]


@pytest.mark.parametrize("args, message", [
    (["--n-j", "3"], "unknown option --n-j"),
    (["--use-gpu", "yes"], "--use-gpu takes true or false, got 'yes'"),
    (["--use-gpu=1"], "--use-gpu takes true or false, got '1'"),
    (["--nj"], "option --nj needs a value"),
    (["--config", "/nonexistent.conf"], "not found"),
])
def test_bad_options_fail_with_the_option_named(demo: Path, args, message) -> None:
    res = run(demo, *args)
    assert res.returncode == 1
    assert message in res.stderr
    assert res.stdout == ""


def test_config_file_sets_options_and_later_flags_override(demo: Path, tmp_path: Path) -> None:
    conf = tmp_path / "opts.conf"
    conf.write_text("# comment\nnj=16\n\ntrain_set='my set'\nuse_gpu=true\n")
    res = run(demo, "--config", str(conf), "--nj", "2")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "nj=2 train_set=my set use_gpu=true name=a b"


@pytest.mark.parametrize("text, message", [
    ("nj=1\ncolour=red\n", "opts.conf:2: unknown option 'colour'"),
    ("nj 3\n", "opts.conf:1: expected name=value"),
    ("use_gpu=maybe\n", "use_gpu takes true or false"),
])
def test_bad_config_files(demo: Path, tmp_path: Path, text: str, message: str) -> None:
    conf = tmp_path / "opts.conf"
    conf.write_text(text)
    res = run(demo, f"--config={conf}")
    assert res.returncode == 1 and message in res.stderr


def test_help_prints_usage_and_defaults(demo: Path) -> None:
    res = run(demo, "--nj", "6", "--help")
    assert res.returncode == 0, res.stderr
    out = res.stdout.splitlines()
    assert out[:2] == ["demo.sh: prints its options.", "Usage: demo.sh [options] <in> <out>"]
    assert any(line.split()[:2] == ["--nj", "[6]"] and "number of jobs" in line for line in out)
    assert any(line.split()[:2] == ["--use-gpu", "[false]"] for line in out)
    assert any(line.split()[:3] == ["--name", "[a", "b]"] for line in out)
    assert not any("set -euo" in line for line in out)


def test_run_sh_rejects_an_unknown_option_before_doing_any_work(tmp_path: Path) -> None:
    from helpers.uthelp import REPO
    res = subprocess.run([str(REPO / "run.sh"), "--no-such-option", "1"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert "run.sh: error: unknown option --no-such-option" in res.stderr
