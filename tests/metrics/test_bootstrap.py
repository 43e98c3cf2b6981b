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
