"""The window rule of exported detectors."""
from __future__ import annotations

import numpy as np
import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.export.windows import window_batches, window_starts


def test_window_starts_cover_the_file_and_end_at_its_end():
    assert window_starts(300, 1000) == [0]
    assert window_starts(1000, 1000) == [0]
    assert window_starts(3000, 1000) == [0, 1000, 2000]
    assert window_starts(3500, 1000) == [0, 1000, 2000, 2500]
    with pytest.raises(SpoofcmError):
        window_starts(0, 1000)


def test_short_files_are_repeated_and_batches_are_bounded():
    wave = np.arange(7, dtype=np.float32)
    (only,) = list(window_batches(wave, 10, batch=4))
    assert only.shape == (1, 10) and only[0].tolist() == [0, 1, 2, 3, 4, 5, 6, 0, 1, 2]
    long = np.arange(95, dtype=np.float32)
    batches = list(window_batches(long, 10, batch=4))
    assert [b.shape[0] for b in batches] == [4, 4, 2]
    rows = np.concatenate(batches)
    assert rows[-1].tolist() == list(range(85, 95)) and rows[8][0] == 80
    with pytest.raises(SpoofcmError):
        list(window_batches(np.zeros((2, 10), np.float32), 10, 4))
