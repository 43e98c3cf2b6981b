"""Bootstrap EER interval: deterministic by seed, brackets the EER, narrows with more data."""
from __future__ import annotations

import numpy as np

from spoofcm.metrics import compute_eer, eer_ci
from spoofcm.metrics.bootstrap import bootstrap_eers


def test_seeded_and_brackets_the_eer():
    rng = np.random.default_rng(0)
    bona, spoof = rng.normal(1.5, 1, 400), rng.normal(0, 1, 900)
    a = eer_ci(bona, spoof, n_boot=300, seed=3)
    b = eer_ci(bona, spoof, n_boot=300, seed=3)
    c = eer_ci(bona, spoof, n_boot=300, seed=4)
    assert a == b and a != c
    eer, _ = compute_eer(bona, spoof)
    assert a["low"] < eer < a["high"]
    assert 0.01 < a["high"] - a["low"] < 0.15


def test_identity_resample_matches_official_eer_without_ties():
    rng = np.random.default_rng(1)
    bona, spoof = rng.normal(1, 1, 50), rng.normal(0, 1, 70)
    eers = bootstrap_eers(bona, spoof, n_boot=2000, seed=0)
    assert eers.shape == (2000,) and np.all((eers >= 0) & (eers <= 1))
    # the mean of resampled EERs sits near the full-sample EER
    assert abs(eers.mean() - compute_eer(bona, spoof)[0]) < 0.05


def test_interval_narrows_with_more_trials():
    rng = np.random.default_rng(2)
    small = eer_ci(rng.normal(1, 1, 100), rng.normal(0, 1, 100), n_boot=200)
    large = eer_ci(rng.normal(1, 1, 5000), rng.normal(0, 1, 5000), n_boot=200)
    assert large["high"] - large["low"] < 0.5 * (small["high"] - small["low"])


def test_perfect_separation_has_zero_width():
    ci = eer_ci(np.array([2.0, 3.0, 4.0]), np.array([0.0, 1.0]), n_boot=50)
    assert ci["low"] == ci["high"] == 0.0


def _full_scan(bona, spoof, n_boot, seed):
    """The plain algorithm: every resample's whole DET curve, first smallest |miss - fa|."""
    from spoofcm.metrics.bootstrap import WORK_ELEMENTS, _weights
    from spoofcm.metrics.det import tie_order
    nb, ns = bona.size, spoof.size
    is_bona = np.r_[np.ones(nb, bool), np.zeros(ns, bool)]
    sorted_bona = is_bona[tie_order(np.r_[bona, spoof], is_bona)]
    rng = np.random.default_rng(seed)
    n, out = nb + ns, []
    chunk = max(1, WORK_ELEMENTS // n)
    for start in range(0, n_boot, chunk):
        reps = min(chunk, n_boot - start)
        wb, ws = np.zeros((reps, n), np.int64), np.zeros((reps, n), np.int64)
        wb[:, sorted_bona] = _weights(rng, nb, nb, reps)
        ws[:, ~sorted_bona] = _weights(rng, ns, ns, reps)
        miss = np.c_[np.zeros(reps), np.cumsum(wb, axis=1) / nb]
        fa = np.c_[np.ones(reps), (ns - np.cumsum(ws, axis=1)) / ns]
        k = np.argmin(np.abs(miss - fa), axis=1)
        out.extend((miss[np.arange(reps), k] + fa[np.arange(reps), k]) / 2.0)
    return np.array(out)


def test_binary_search_is_bit_identical_to_the_full_scan():
    rng = np.random.default_rng(7)
    for t in range(25):
        nb, ns = int(rng.integers(1, 150)), int(rng.integers(1, 200))
        digits = int(rng.integers(0, 3))             # coarse rounding: many ties
        bona, spoof = np.round(rng.normal(1, 1, nb), digits), np.round(rng.normal(0, 1, ns), digits)
        np.testing.assert_array_equal(bootstrap_eers(bona, spoof, n_boot=41, seed=t),
                                      _full_scan(bona, spoof, 41, t))
