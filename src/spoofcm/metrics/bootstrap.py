"""Bootstrap confidence interval of the EER (fixed seed, vectorised).

Bona fide and spoof trials are resampled separately (with replacement, class sizes kept), as
is usual for detection error rates. Resampling is done as integer trial weights over the
scores sorted once in tie order, so each resample costs O(n) with no re-sort. The official EER
rule (first point of smallest |miss - fa|, bona fide first among ties) is applied per resample,
with one simplification: the copies of one resampled trial form a single step of the DET curve
(the points between identical copies are skipped), which moves a resample's EER by at most one
trial's share (1/n) and is far below the interval's width.
"""
from __future__ import annotations

import numpy as np

from spoofcm.metrics.det import tie_order

#: elements of the (resamples x trials) work matrix processed at once, to bound memory
WORK_ELEMENTS = 1_000_000


def _weights(rng: np.random.Generator, n_draw: int, n_items: int, reps: int) -> np.ndarray:
    """(reps x n_items) counts of each item in ``reps`` samples of size ``n_draw``."""
    idx = rng.integers(0, n_items, size=(reps, n_draw))
    idx += (np.arange(reps) * n_items)[:, None]
    return np.bincount(idx.ravel(), minlength=reps * n_items).reshape(reps, n_items)


def bootstrap_eers(bona: np.ndarray, spoof: np.ndarray, n_boot: int = 1000,
                   seed: int = 0) -> np.ndarray:
    """EER of each of ``n_boot`` stratified bootstrap resamples."""
    bona, spoof = np.asarray(bona, np.float64), np.asarray(spoof, np.float64)
    nb, ns = bona.size, spoof.size
    if nb == 0 or ns == 0:
        raise ValueError("bootstrap needs bona fide and spoof scores")
    scores = np.concatenate([bona, spoof])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[:nb] = True
    order = tie_order(scores, is_bona)
    pos_bona = np.flatnonzero(is_bona[order])    # sorted positions of bona fide trials
    pos_spoof = np.flatnonzero(~is_bona[order])
    rng = np.random.default_rng(seed)
    n = scores.size
    chunk = max(1, WORK_ELEMENTS // n)
    out = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        reps = min(chunk, n_boot - start)
        wb = np.zeros((reps, n), dtype=np.int64)
        ws = np.zeros((reps, n), dtype=np.int64)
        wb[:, pos_bona] = _weights(rng, nb, nb, reps)
        ws[:, pos_spoof] = _weights(rng, ns, ns, reps)
        miss = np.concatenate([np.zeros((reps, 1)), np.cumsum(wb, axis=1) / nb], axis=1)
        fa = np.concatenate([np.ones((reps, 1)), (ns - np.cumsum(ws, axis=1)) / ns], axis=1)
        k = np.argmin(np.abs(miss - fa), axis=1)
        rows = np.arange(reps)
        out[start:start + reps] = (miss[rows, k] + fa[rows, k]) / 2.0
    return out


def eer_ci(bona: np.ndarray, spoof: np.ndarray, n_boot: int = 1000, seed: int = 0,
           level: float = 0.95) -> dict[str, float | int]:
    """Percentile bootstrap interval of the EER (fractions), JSON-ready."""
    eers = bootstrap_eers(bona, spoof, n_boot=n_boot, seed=seed)
    lo, hi = np.percentile(eers, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return {"low": float(lo), "high": float(hi), "level": level, "n_boot": n_boot, "seed": seed,
            "method": "percentile, stratified resampling"}
