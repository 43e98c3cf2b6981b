"""DET/EER follow the organisers' rules: tie order, first minimum, no interpolation."""
from __future__ import annotations

import numpy as np
import pytest

from spoofcm.metrics import compute_eer, det_curve
from spoofcm.metrics.det import det_from_labels, tie_order


def brute_force_eer(bona, spoof):
    """Independent form of the rule: list every threshold point explicitly."""
    items = sorted([(s, 0) for s in bona] + [(s, 1) for s in spoof])  # bona (0) first in ties
    best = None
    nb, ns = len(bona), len(spoof)
    for k in range(len(items) + 1):
        miss = sum(1 for s, c in items[:k] if c == 0) / nb
        fa = sum(1 for s, c in items[k:] if c == 1) / ns
        if best is None or abs(miss - fa) < best[0]:
            best = (abs(miss - fa), (miss + fa) / 2)
    return best[1]


def test_perfect_separation_gives_zero():
    eer, thr = compute_eer(np.array([3.0, 4.0, 5.0]), np.array([-1.0, 0.0, 1.0]))
    assert eer == 0.0
    assert thr == 1.0


def test_reversed_scores_give_one():
    eer, _ = compute_eer(np.array([-1.0, -2.0]), np.array([5.0, 6.0]))
    assert eer == 1.0


def test_fully_overlapped_is_half():
    rng = np.random.default_rng(0)
    s = rng.normal(size=4000)
    eer, _ = compute_eer(s[:2000], s[2000:])
    assert abs(eer - 0.5) < 0.03


def test_identical_scores_bona_first_in_ties():
    # all tied, bona first: points (0,1), (.5,1), (1,1) ... -> |diff| = 0 at (1,1): EER 100 %
    eer, thr = compute_eer(np.zeros(2), np.zeros(2))
    assert eer == 1.0
    assert thr == 0.0


def test_ties_inside_group_can_be_the_eer_point():
    bona = np.array([0.0])
    spoof = np.array([1.0, 0.0, 2.0, 0.0])
    # bona first: (0,1) (1,1) -> EER 1.0; spoof first among ties would give 0.25
    assert compute_eer(bona, spoof)[0] == 1.0
    assert brute_force_eer(bona, spoof) == 1.0


@pytest.mark.parametrize("seed", range(8))
def test_matches_brute_force_on_rounded_random_scores(seed):
    rng = np.random.default_rng(seed)
    bona = np.round(rng.normal(1, 1, rng.integers(1, 25)), 1)
    spoof = np.round(rng.normal(0, 1, rng.integers(1, 25)), 1)
    assert compute_eer(bona, spoof)[0] == pytest.approx(brute_force_eer(bona, spoof), abs=1e-15)


def test_tiny_sets_and_threshold_rule():
    eer, thr = compute_eer(np.array([1.0]), np.array([2.0]))
    assert eer == 1.0 and thr == 1.0
    curve = det_curve(np.array([1.0]), np.array([2.0]))
    assert curve.thresholds[0] == pytest.approx(1.0 - 0.001)
    assert list(curve.miss) == [0.0, 1.0, 1.0] and list(curve.fa) == [1.0, 1.0, 0.0]
    with pytest.raises(ValueError):
        compute_eer(np.array([]), np.array([1.0]))


def test_tie_order_puts_bona_first_and_masks_stay_sorted():
    scores = np.array([1.0, 1.0, 0.0, 1.0])
    is_bona = np.array([False, True, False, True])
    order = tie_order(scores, is_bona)
    assert list(is_bona[order]) == [False, True, True, False]
    miss, fa = det_from_labels(is_bona[order])
    assert miss[-1] == 1.0 and fa[0] == 1.0 and fa[-1] == 0.0
