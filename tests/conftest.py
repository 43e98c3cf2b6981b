"""Shared test fixtures: repository paths and the golden data folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# slurm_cluster, sge_cluster: a real one-node Slurm and Grid Engine (skipped unless root with
# the Debian packages)
pytest_plugins = ["slurm_cluster", "sge_cluster"]


def shared_dir() -> Path:
    """The read-only shared/ folder (golden data), next to the checkout unless overridden."""
    return Path(os.environ.get("SPOOFCM_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    path = shared_dir() / "golden"
    if not path.is_dir():
        pytest.skip(f"golden data not found at {path} (set SPOOFCM_SHARED)")
    return path
