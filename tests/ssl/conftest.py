"""Fixtures for the SSL tests: fairseq golden files, a tiny fairseq-format checkpoint."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def fairseq_golden(golden_dir: Path) -> Path:
    path = golden_dir / "fairseq_wav2vec2"
    if not (path / "xlsr_style.pt").is_file():
        pytest.skip(f"fairseq golden checkpoints not found in {path}")
    return path


@pytest.fixture(scope="session")
def tiny_ckpt(tmp_path_factory) -> Path:
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    path = tmp_path_factory.mktemp("ssl") / "tiny.pt"
    write_random_checkpoint(path, "tiny", seed=0)
    return path


@pytest.fixture(scope="session")
def tiny_model(tiny_ckpt: Path):
    from spoofcm.ssl import load

    return load(tiny_ckpt)
