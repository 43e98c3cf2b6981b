"""ASVspoof 5 Track 1 metrics: golden parity with the organisers' package, and definitions."""
from __future__ import annotations

import math

import numpy as np
import pytest
from asv5_golden import CASES, expected, track1_arrays

from spoofcm.metrics.asvspoof5 import act_dcf, decision_threshold, track1_metrics
from spoofcm.metrics.calibration import DcfModel


@pytest.mark.parametrize("case", CASES)
def test_track1_matches_golden(golden_dir, case):
    path = golden_dir / "asvspoof5_eval" / case
    got = track1_metrics(*track1_arrays(path)).as_dict()
    want = expected(path)["track1"]
    assert set(got) == set(want)
    for name, value in want.items():
        assert math.isclose(got[name], value, rel_tol=0, abs_tol=1e-6), name


def brute_min_dcf_eer(bona, spoof, model=DcfModel()):
    """Every candidate threshold (each score, and above all), accept iff score >= t."""
    cand = np.concatenate([np.unique(np.concatenate([bona, spoof])), [np.inf]])
    best, gaps = np.inf, []
    for t in cand:
        miss, fa = np.mean(bona < t), np.mean(spoof >= t)
        best = min(best, (0.95 * miss + 0.5 * fa) / 0.5)
        gaps.append((abs(miss - fa), (miss + fa) / 2))
    return best, gaps


def test_min_dcf_is_the_best_threshold_cost():
    rng = np.random.default_rng(3)
    for _ in range(20):
        bona = np.round(rng.normal(1, 1, rng.integers(5, 60)), 1)
        spoof = np.round(rng.normal(-1, 1, rng.integers(5, 60)), 1)
        got = track1_metrics(bona, spoof)
        best, _ = brute_min_dcf_eer(bona, spoof)
        assert got.min_dcf == pytest.approx(best, abs=1e-12)
        assert 0 <= got.eer <= 1 and got.min_dcf <= 1 + 1e-12


def test_act_dcf_decides_at_the_bayes_threshold():
    tau = decision_threshold()
    assert tau == pytest.approx(math.log(10 * 0.05 / 0.95))
    # a bona fide score exactly at tau is accepted, a spoof at tau passes (>=)
    assert act_dcf(np.array([tau]), np.array([tau - 1])) == 0.0
    assert act_dcf(np.array([tau + 1]), np.array([tau])) == pytest.approx(1.0)
    assert act_dcf(np.array([tau - 1e-9]), np.array([-5.0])) == pytest.approx(0.95 / 0.5)


def test_perfect_and_swapped_systems():
    bona, spoof = np.array([5.0, 6.0, 7.0]), np.array([-5.0, -6.0])
    good = track1_metrics(bona, spoof)
    assert good.eer == 0 and good.min_dcf == 0 and good.act_dcf == 0 and good.cllr < 0.01
    bad = track1_metrics(spoof, bona)
    assert bad.eer == 1 and bad.min_dcf == pytest.approx(1.0) and bad.cllr > 5


def test_needs_both_classes():
    with pytest.raises(ValueError, match="bona fide and one spoof"):
        track1_metrics(np.array([]), np.array([1.0]))
