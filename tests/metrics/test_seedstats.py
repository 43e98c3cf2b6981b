"""Mean ± sample sd over seeds, and how a cell prints."""
from __future__ import annotations

import math

import pytest

from spoofcm.metrics.seedstats import Stat, fmt_stat, mean_sd


def test_sample_sd_uses_n_minus_one():
    s = mean_sd([0.02, 0.04, 0.06])
    assert s.n == 3 and s.mean == pytest.approx(0.04) and s.sd == pytest.approx(0.02)
    assert fmt_stat(s, "eer") == "4.00 ± 2.00"
    assert fmt_stat(mean_sd([0.5, 0.7]), "min_tdcf") == f"0.6000 ± {math.sqrt(0.02):.4f}"


def test_one_seed_missing_and_nan():
    assert mean_sd([0.0354]) == Stat(0.0354, None, 1, 1)
    assert fmt_stat(mean_sd([0.0354]), "eer") == "3.54"
    assert mean_sd([None, float("nan")]) is None and fmt_stat(None, "eer") == ""
    assert mean_sd([None, 0.1, 0.3]).n == 2


def test_a_cell_some_seeds_lack_says_how_many_it_has():
    assert fmt_stat(mean_sd([1.0288, None, None]), "cllr") == "1.0288 (1 of 3 seeds)"
    assert fmt_stat(mean_sd([None, 0.1, 0.3]), "eer") == "20.00 ± 14.14 (2 of 3 seeds)"
    assert fmt_stat(mean_sd([0.1, 0.3]), "eer") == "20.00 ± 14.14"
