"""t-DCF: revised 2021 coefficients and the legacy 2019 formula against hand computations."""
from __future__ import annotations

import numpy as np
import pytest

from spoofcm.metrics.tdcf import (CostModel, LegacyCostModel, asv_rates, asv_threshold,
                                  c012_from_rates, min_tdcf)


def test_asv_threshold_is_score_at_eer_point_and_ge_accepts():
    target = np.array([2.0, 3.0, 4.0])
    nontarget = np.array([0.0, 1.0, 2.0])
    # sorted: 0n 1n 2t 2n 3t 4t (target first in the tie); |miss-fa| = 0 after k=3 -> t = 2.0
    assert asv_threshold(target, nontarget) == 2.0
    rates = asv_rates(target, nontarget, np.array([0.5, 2.0, 3.0, 5.0]))
    assert rates.p_miss == 0.0                       # target 2.0 is not < t
    assert rates.p_fa == pytest.approx(1 / 3)        # nontarget 2.0 is >= t: accepted
    assert rates.p_fa_spoof == pytest.approx(3 / 4)  # spoof 2.0 counts as accepted (>=)


def test_threshold_is_a_sorted_score():
    assert asv_threshold(np.array([5.0, 6.0]), np.array([7.0, 8.0])) == 6.0
    assert asv_threshold(np.array([1.0]), np.array([0.0])) == 0.0


def test_missing_class_gives_none():
    assert asv_rates(np.array([1.0]), np.array([0.0]), np.array([])) is None
    assert min_tdcf(np.array([1.0]), np.array([0.0]), np.array([]), np.array([0.0]),
                    np.array([0.0])) is None


def test_revised_coefficients_by_hand():
    cost = CostModel()
    c0, c1, c2 = c012_from_rates(0.1, 0.2, 0.5, cost)
    assert c0 == pytest.approx(0.9405 * 0.1 + 0.0095 * 10 * 0.2)
    assert c1 == pytest.approx(0.9405 - c0)
    assert c2 == pytest.approx(0.05 * 10 * 0.5)


def test_revised_min_tdcf_by_hand():
    bona_cm, spoof_cm = np.array([1.0, 3.0]), np.array([0.0, 2.0])
    target, nontarget, spoof_asv = np.array([2.0, 3.0]), np.array([0.0, 1.0]), np.array([1.5, 0.5])
    # ASV: t = 1.0 (after the two nontargets), p_miss 0, p_fa 1/2, p_fa_spoof 1/2
    c0 = 0.0095 * 10 * 0.5
    c1, c2 = 0.9405 - c0, 0.05 * 10 * 0.5
    # CM DET points (miss, fa): (0,1) (0,.5) (.5,.5) (.5,0) (1,0)
    points = [(0, 1), (0, .5), (.5, .5), (.5, 0), (1, 0)]
    expected = min((c0 + c1 * m + c2 * f) / (c0 + min(c1, c2)) for m, f in points)
    got = min_tdcf(bona_cm, spoof_cm, target, nontarget, spoof_asv)
    assert got == pytest.approx(expected, abs=1e-15)


def test_legacy_min_tdcf_by_hand():
    bona_cm, spoof_cm = np.array([1.0, 3.0]), np.array([0.0, 2.0])
    target, nontarget, spoof_asv = np.array([2.0, 3.0]), np.array([0.0, 1.0]), np.array([1.5, 0.5])
    p = LegacyCostModel()
    assert p.p_tar == pytest.approx(0.9405) and p.p_non == pytest.approx(0.0095)
    p_miss_asv, p_fa_asv, p_miss_spoof_asv = 0.0, 0.5, 0.5
    c1 = 0.9405 * (1 - 1 * p_miss_asv) - 0.0095 * 10 * p_fa_asv     # = 0.893
    c2 = 10 * 0.05 * (1 - p_miss_spoof_asv)                         # = 0.25
    assert c1 == pytest.approx(0.893) and c2 == pytest.approx(0.25)
    # min over (0,1)->.25/.25=1, (0,.5)->.5, (.5,.5)->(.4465+.125)/.25, (.5,0)->1.786, (1,0)
    expected = 0.5
    assert min_tdcf(bona_cm, spoof_cm, target, nontarget, spoof_asv, legacy=True) \
        == pytest.approx(expected, abs=1e-15)
    assert min_tdcf(bona_cm, spoof_cm, target, nontarget, spoof_asv) != pytest.approx(expected)


def test_perfect_cm_leaves_only_the_asv_cost():
    # ASV threshold t = 1.0 (score at the EER point) and >= accepts: p_fa 1/2, p_fa_spoof 1/2
    got = min_tdcf(np.array([5.0, 6.0]), np.array([0.0, 1.0]), np.array([5.0, 6.0]),
                   np.array([0.0, 1.0]), np.array([-1.0, 7.0]))
    c0, c1, c2 = c012_from_rates(0.0, 0.5, 0.5)
    assert got == pytest.approx(c0 / (c0 + min(c1, c2)), abs=1e-15)
