"""Fixtures of the export tests: one tiny experiment per neural mini model, and audio files."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers import exphelp  # noqa: E402


@pytest.fixture(scope="session")
def export_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("export")
    exphelp.tiny_ssl(root / "tiny_ssl.pt")
    return root


@pytest.fixture(scope="session")
def dev_files(export_root) -> list[Path]:
    """Files shorter than, exactly, and several times one 0.5 s window (plus an odd tail);
    with SPOOFCM_TINY_CORPUS set, also three of the mini corpus's dev files."""
    paths = exphelp.write_wavs(export_root / "wav", [0.31, 0.5, 1.37])
    corpus = os.environ.get("SPOOFCM_TINY_CORPUS")
    if corpus:
        paths += sorted(Path(corpus).glob("LA/ASVspoof2019_LA_dev/flac/*.flac"))[:3]
    return paths
