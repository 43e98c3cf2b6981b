"""A recipe run leaves the tracked tree unchanged: stage 5 writes exp/RESULTS.{md,json}
(git-ignored), and the committed RESULTS.md changes only through ``spoofcm-report --publish``.

The recipe runs in its own git repository (the repository's .gitignore, egs/mini with its
committed RESULTS.md, run.sh linking to the driver under test), so the check does not depend on
the state of the developer's checkout nor on other tests' outputs."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = (0,)   # one seed keeps the test short; means over seeds: tests/bin/test_report.py
SCORED = ("dev", "eval_la21", "eval_df21")

pytestmark = pytest.mark.slow


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True).stdout


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASVSPOOF20", "MINI_"))}
    env.update({"OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", "MINI_SIZE": "tiny"})
    return env


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, env=_env(), timeout=900)


@pytest.fixture
def clone(tiny, tmp_path) -> Path:
    """A committed tree: .gitignore, run.sh (link to the driver) and egs/mini with RESULTS.md."""
    root = tmp_path / "clone"
    root.mkdir()
    shutil.copy(REPO / ".gitignore", root / ".gitignore")
    (root / "run.sh").symlink_to(REPO / "run.sh")
    # a committed RESULTS.md that predates snapshots (no RESULTS.json, no plots): the case
    # where publishing must be told --replace
    shutil.copytree(REPO / "egs" / "mini", root / "egs" / "mini", symlinks=True,
                    ignore=shutil.ignore_patterns("db", "data", "dump", "exp", "__pycache__",
                                                  "RESULTS.json", "plots"))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "clone")
    (root / "egs" / "mini" / "db").mkdir()
    (root / "egs" / "mini" / "db" / "tiny").symlink_to(tiny, target_is_directory=True)
    return root


def fake_scores(recipe: Path, tag: str, seed: int) -> None:
    """What stages 3-4 leave for stage 5: config.yaml and one score per trial of each set."""
    exp = recipe / "exp" / tag
    exp.mkdir(parents=True)
    (exp / "config.yaml").write_text("model:\n  name: lfcc_gmm\n")
    rng = np.random.default_rng(seed)
    for s in SCORED:
        labels = dict(line.split() for line in (recipe / "data" / s / "utt2label").read_text()
                      .splitlines())
        out = exp / "scores" / s
        out.mkdir(parents=True)
        (out / "score.txt").write_text("".join(
            f"{u} {rng.normal(1.0 if lab == 'bonafide' else 0.0):.5f}\n"
            for u, lab in sorted(labels.items())))
        (out / ".done").touch()


def test_stage5_leaves_tracked_files_alone_and_publish_is_explicit(clone):
    recipe = clone / "egs" / "mini"
    repo_before = _git(REPO, "status", "--porcelain")
    res = _run([str(recipe / "run.sh"), "--skip-setup", "true", "--stage", "0",
                "--stop-stage", "0", "--nj", "1"])
    assert res.returncode == 0, res.stderr[-3000:]
    assert (recipe / "data" / "corpus_fingerprint.json").is_file()
    for seed in SEEDS:
        fake_scores(recipe, f"lfcc_gmm_mini_seed{seed}", seed)
    res = _run([str(recipe / "run.sh"), "--skip-setup", "true", "--stage", "5",
                "--stop-stage", "5", "--nj", "1", "--models", "lfcc_gmm",
                "--seeds", " ".join(map(str, SEEDS))])
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    assert _git(clone, "status", "--porcelain") == "", "stage 5 changed tracked files"
    assert _git(REPO, "status", "--porcelain") == repo_before
    text = (recipe / "exp" / "RESULTS.md").read_text()
    assert "| lfcc_gmm_mini | lfcc_gmm | 0 (1 seed) | eval_la21 |" in text
    assert "corpus: sha256 `" in text and "torch threads in training" in text
    assert "--publish" in res.stdout + res.stderr           # the log says how to publish

    # the committed table predates snapshots: publishing needs --replace, and only then changes it
    res = _run([sys.executable, "-m", "spoofcm.bin.report", "--recipe-dir", str(recipe), "--publish"])
    assert res.returncode == 1 and "pass --replace" in res.stderr
    assert _git(clone, "status", "--porcelain") == ""
    res = _run([sys.executable, "-m", "spoofcm.bin.report", "--recipe-dir", str(recipe), "--publish", "--replace"])
    assert res.returncode == 0, res.stderr
    published = sorted(_git(clone, "status", "--porcelain").splitlines())
    assert published == [" M egs/mini/RESULTS.md", "?? egs/mini/RESULTS.json", "?? egs/mini/plots/"]
    assert (recipe / "plots" / "det_eval_la21.png").is_file()  # the figures travel with the table
