"""Shared test fixtures: repository paths and the golden data folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# slurm_cluster, sge_cluster: a real one-node Slurm and Grid Engine (skipped unless root with
# the Debian packages)
pytest_plugins = ["helpers.slurm_cluster", "helpers.sge_cluster"]


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


def pytest_collection_modifyitems(config, items) -> None:
    """Everything under tests/recipes/ generates a corpus or runs recipes end to end: it is the
    ``slow`` tier that ``make test-fast`` leaves out."""
    for item in items:
        if "recipes" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def small_fs(tmp_path: Path):
    """A 64 KiB tmpfs mounted under tmp_path, for full-disk tests (issue 14, class 5).

    Mounting needs root; elsewhere the test is skipped with a message. Unmounted at teardown.
    """
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("full-disk test needs root to mount a 64 KiB tmpfs")
    mnt = tmp_path / "small_fs"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
