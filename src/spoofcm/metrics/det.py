"""DET curve and EER exactly as the ASVspoof 2021 organisers' scorer computes them.

Convention: a higher score means "more bona fide" (for ASV: "more target-like").

The official rule (see ``shared/golden/asvspoof2021_eval/README.md``): bona fide and spoof
scores are concatenated (bona fide first) and sorted with a *stable* sort, so tied bona fide
scores come before tied spoof scores. After each sorted position k = 0..N there is one operating
point: miss = (bona fide among the first k) / #bona fide, fa = (spoof after k) / #spoof. The EER
is (miss + fa) / 2 at the *first* point where |miss - fa| is smallest, without interpolation.

Everything here works on a *label sequence already in that order*, so a caller that sorted a
large pool once (see :func:`tie_order`) can evaluate any subset of it in O(n) by masking, which
is what makes the decomposed tables fast: a subsequence of a sorted sequence is still sorted.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: offset the official scorer uses for the threshold before the first sorted score
FIRST_THRESHOLD_OFFSET = 0.001


def tie_order(scores: np.ndarray, is_bona: np.ndarray) -> np.ndarray:
    """Permutation sorting ``scores`` ascending, bona fide before spoof among equal scores.

    This equals the official stable sort of ``concat(bona, spoof)`` up to the order of trials of
    the same class within a tie group, which no operating point depends on. A fast unstable
    sort is done first; only if equal scores exist are tie groups re-ordered, with a stable
    sort of (group, class) keys that are already nearly in order (linear time for timsort).
    """
    return class_order(np.asarray(scores), (~np.asarray(is_bona, dtype=bool)).astype(np.int64))


def class_order(scores: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Permutation sorting ``scores`` ascending, lower class ``rank`` first among equal scores
    (the general form of :func:`tie_order`, e.g. target < nontarget < spoof for SASV)."""
    order = np.argsort(scores)
    s = scores[order]
    tie = s[1:] == s[:-1]
    if not tie.any():
        return order
    group = np.zeros(s.size, dtype=np.int64)
    np.cumsum(~tie, out=group[1:])
    n_ranks = int(rank.max()) + 1
    return order[np.argsort(n_ranks * group + rank[order], kind="stable")]


@dataclass(frozen=True)
class DetCurve:
    """Operating points of a detector: ``miss[k]``, ``fa[k]`` after sorted position k."""

    miss: np.ndarray
    fa: np.ndarray
    thresholds: np.ndarray

    def eer_index(self) -> int:
        """Index of the first point where |miss - fa| is smallest (the official choice)."""
        return int(np.argmin(np.abs(self.miss - self.fa)))

    def eer(self) -> float:
        k = self.eer_index()
        return float((self.miss[k] + self.fa[k]) / 2.0)


def det_from_labels(sorted_bona: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Miss and false-alarm rates (length n+1) from bona fide flags in tie order.

    Rates are integer counts divided by class sizes, so they are bit-identical to the official
    scorer's cumulative sums of 0/1 floats.
    """
    flags = np.asarray(sorted_bona, dtype=bool)
    n = flags.size
    n_bona = int(np.count_nonzero(flags))
    n_spoof = n - n_bona
    bona_sums = np.empty(n + 1, dtype=np.int64)
    bona_sums[0] = 0
    np.cumsum(flags, out=bona_sums[1:])
    spoof_left = n_spoof - (np.arange(n + 1, dtype=np.int64) - bona_sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        return bona_sums / n_bona, spoof_left / n_spoof


def eer_from_labels(sorted_bona: np.ndarray) -> tuple[float, int]:
    """(EER, index of its operating point) from bona fide flags in tie order."""
    miss, fa = det_from_labels(sorted_bona)
    k = int(np.argmin(np.abs(miss - fa)))
    return float((miss[k] + fa[k]) / 2.0), k


def det_curve(bona: np.ndarray, spoof: np.ndarray) -> DetCurve:
    """Official DET curve of two score sets, with the threshold of each operating point.

    ``thresholds[k]`` is the k-th smallest score (1-based), and the smallest score minus 0.001
    for k = 0, as the organisers define it.
    """
    bona = np.asarray(bona, dtype=np.float64).ravel()
    spoof = np.asarray(spoof, dtype=np.float64).ravel()
    if bona.size == 0 or spoof.size == 0:
        raise ValueError("det_curve needs at least one bona fide and one spoof score")
    scores = np.concatenate([bona, spoof])
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    miss, fa = det_from_labels(order < bona.size)
    thresholds = np.concatenate([[sorted_scores[0] - FIRST_THRESHOLD_OFFSET], sorted_scores])
    return DetCurve(miss=miss, fa=fa, thresholds=thresholds)


def compute_eer(bona: np.ndarray, spoof: np.ndarray) -> tuple[float, float]:
    """Official EER (a fraction) and the threshold at its operating point."""
    curve = det_curve(bona, spoof)
    k = curve.eer_index()
    return float((curve.miss[k] + curve.fa[k]) / 2.0), float(curve.thresholds[k])
