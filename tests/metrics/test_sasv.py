"""ASVspoof 5 Track 2 metrics: golden parity, and the fast t-EER against a direct scan."""
from __future__ import annotations

import math

import numpy as np
import pytest
from asv5_golden import CASES, expected, track2_arrays

from spoofcm.metrics.sasv import (ORGANISER_ASV, SASV_COST, class_order, min_a_dcf,
                                  min_tdcf_fixed_asv, t_eer, three_class_rates, track2_metrics)
from spoofcm.metrics.tdcf import c012_from_rates


@pytest.mark.parametrize("case", CASES)
def test_track2_matches_golden(golden_dir, case):
    path = golden_dir / "asvspoof5_eval" / case
    a = track2_arrays(path)
    got = track2_metrics(a["asv_label"], a["cm_bona"], a["cm"], a["asv"], a["sasv"]).as_dict()
    want = expected(path)["track2"]
    assert math.isclose(got["min_a_dcf"], want["min_a_dcf"], rel_tol=0, abs_tol=1e-6)
    assert math.isclose(got["min_tdcf"], want["min_tdcf"], rel_tol=0, abs_tol=1e-6)
    assert math.isclose(got["t_eer_percent"], want["t_eer_percent"], rel_tol=0, abs_tol=1e-4)


def direct_t_eer(asv, cm, rho=0.5):
    """The definition, scanned: every ASV point against every CM point (quadratic)."""
    a, b, c = three_class_rates(*asv)
    bona, spoof = np.concatenate(cm[:2]), cm[2]
    order = np.argsort(np.concatenate([bona, spoof]), kind="stable")
    is_bona = (order < bona.size).astype(float)
    m = np.concatenate([[0.0], np.cumsum(is_bona) / bona.size])
    f = np.concatenate([[1.0], (spoof.size - np.cumsum(1 - is_bona)) / spoof.size])
    best, value = np.inf, math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(a.size):
            if not a[i] < (1 - rho) * b[i] + rho * c[i]:
                continue
            gap = (m + (1 - m) * a[i]) - ((1 - rho) * (1 - m) * b[i] + rho * f * c[i])
            j = int(np.argmin(np.abs(gap)))
            crit = abs(b[i] / c[i] - f[j] / (1 - m[j]))
            if crit < best:
                best, value = crit, c[i] * f[j] * 100
    return value


@pytest.mark.parametrize("decimals", [0, 1, 3])
def test_fast_t_eer_equals_direct_scan(decimals):
    rng = np.random.default_rng(decimals)
    for _ in range(15):
        n = rng.integers(3, 40, size=3)
        asv = tuple(np.round(rng.normal(mu, 1.5, k), decimals) for mu, k in zip((2, -2, 1), n))
        cm = tuple(np.round(rng.normal(mu, 1.5, k), decimals) for mu, k in zip((1, 1, -1), n))
        want = direct_t_eer(asv, cm)
        got = t_eer(asv, cm)
        assert (math.isnan(want) and math.isnan(got)) or got == pytest.approx(want, abs=1e-12)


def direct_a_dcf(tar, non, spf):
    best = np.inf
    for t in np.concatenate([np.unique(np.concatenate([tar, non, spf])), [np.inf]]):
        cost = 0.9405 * np.mean(tar < t) + 0.095 * np.mean(non >= t) + 0.5 * np.mean(spf >= t)
        best = min(best, cost / min(0.9405, 0.095 + 0.5))
    return best


def test_min_a_dcf_is_the_best_threshold_cost():
    rng = np.random.default_rng(7)
    for _ in range(20):
        tar, non, spf = (np.round(rng.normal(mu, 1, rng.integers(3, 50)), 1) for mu in (2, -1, 0))
        assert min_a_dcf(tar, non, spf) == pytest.approx(direct_a_dcf(tar, non, spf), abs=1e-9)


def test_class_order_breaks_ties_by_rank():
    scores = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    rank = np.array([2, 1, 0, 1, 0])
    order = class_order(scores, rank)
    assert list(zip(scores[order], rank[order])) == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]


def test_min_tdcf_undefined_for_hard_decisions_and_c0_share_when_perfect():
    assert min_tdcf_fixed_asv(np.array([1.0, 1.0]), np.array([0.0])) is None
    c0, c1, c2 = c012_from_rates(*ORGANISER_ASV, cost=SASV_COST)
    perfect = min_tdcf_fixed_asv(np.array([3.0, 2.0]), np.array([-1.0]))
    assert perfect == pytest.approx(c0 / (c0 + min(c1, c2)), abs=1e-15)


def test_t_eer_scales_to_large_inputs():
    """Two hundred thousand trials (a direct scan would take hours)."""
    rng = np.random.default_rng(0)
    n = (150_000, 10_000, 40_000)
    asv = tuple(rng.normal(mu, 1, k) for mu, k in zip((3, -3, 1), n))
    cm = tuple(rng.normal(mu, 1, k) for mu, k in zip((2, 2, -2), n))
    assert 0 < t_eer(asv, cm) < 50
