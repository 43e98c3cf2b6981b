"""Provenance facts: git commit and dirty flag, env.txt round trip, machine description."""
from __future__ import annotations

import subprocess

from spoofcm.provenance import (GitState, cpu_model, git_state, machine, parse_git,
                                read_env_txt, versions)


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_git_state_clean_dirty_and_outside(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.txt").write_text("1\n")
    _git(repo, "add", "a.txt")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    clean = git_state(repo)
    assert len(clean.commit) == 40 and clean.dirty is False
    (repo / "a.txt").write_text("2\n")
    dirty = git_state(repo)
    assert dirty.commit == clean.commit and dirty.dirty is True
    assert parse_git(dirty.describe()) == dirty and parse_git(clean.describe()) == clean
    outside = tmp_path / "plain"
    outside.mkdir()
    assert git_state(outside) == GitState("unknown", None)
    assert parse_git("unknown").describe() == "unknown"


def test_env_txt_and_machine(tmp_path):
    info = machine()
    assert info["cpu"] and info["gpu"] and int(info["threads"]) >= 1
    assert cpu_model() == info["cpu"]
    assert set(versions()) == {"python", "torch", "numpy"}
    env = tmp_path / "env.txt"
    env.write_text("torch: 2.1\nthreads: 2\ncommand: spoofcm-train --a b: c\n")
    assert read_env_txt(env) == {"torch": "2.1", "threads": "2",
                                 "command": "spoofcm-train --a b: c"}
    assert read_env_txt(tmp_path / "absent.txt") == {}
