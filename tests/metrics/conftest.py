"""A tiny LA keys folder in the official layout, written per test."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers.la_fixture import ASV_LINES, ASV_SCORES, CM_LINES, SCORES, write_lines


@pytest.fixture
def la_keys(tmp_path: Path) -> Path:
    keys = tmp_path / "keys"
    write_lines(keys / "LA" / "CM" / "trial_metadata.txt", CM_LINES)
    write_lines(keys / "LA" / "ASV" / "trial_metadata.txt", ASV_LINES)
    write_lines(tmp_path / "score.txt", SCORES)
    write_lines(tmp_path / "asv_score.txt", ASV_SCORES)
    return keys
