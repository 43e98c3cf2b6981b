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
    """EER of each of ``n_boot`` stratified bootstrap resamples.

    After sorted position k, miss_k = (bona fide weight before k) / nb and fa_k = (spoof weight
    from k on) / ns, so d_k = miss_k - fa_k never decreases along k (also in floating point:
    division by a constant and subtraction round monotonically). The first smallest |d_k| is
    therefore at the first k with d_k >= 0 or just before it, found by a binary search over
    class-wise cumulative weights: each resample costs its draws and two cumulative sums, not a
    dozen passes over all n trials. The result is bit-identical to a full scan.
    """
    bona, spoof = np.asarray(bona, np.float64), np.asarray(spoof, np.float64)
    nb, ns = bona.size, spoof.size
    if nb == 0 or ns == 0:
        raise ValueError("bootstrap needs bona fide and spoof scores")
    scores = np.concatenate([bona, spoof])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[:nb] = True
    order = tie_order(scores, is_bona)
    sorted_bona = is_bona[order]
    n = scores.size
    # bona fide / spoofed trials among the first k sorted positions, k = 0..n
    b_before = np.concatenate([[0], np.cumsum(sorted_bona)])
    s_before = np.arange(n + 1) - b_before
    rng = np.random.default_rng(seed)
    chunk = max(1, WORK_ELEMENTS // n)
    out = np.empty(n_boot)
    steps = int(np.ceil(np.log2(n + 1))) + 1
    for start in range(0, n_boot, chunk):
        reps = min(chunk, n_boot - start)
        rows = np.arange(reps)[:, None]
        cb = np.zeros((reps, nb + 1), dtype=np.int64)
        cs = np.zeros((reps, ns + 1), dtype=np.int64)
        # weight j of a class = the count of its j-th trial in sorted order
        np.cumsum(_weights(rng, nb, nb, reps), axis=1, out=cb[:, 1:])
        np.cumsum(_weights(rng, ns, ns, reps), axis=1, out=cs[:, 1:])

        def d_at(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            miss = cb[rows, b_before[k]] / nb
            fa = (ns - cs[rows, s_before[k]]) / ns
            return miss, fa

        lo = np.zeros((reps, 1), dtype=np.int64)        # first k with d_k >= 0 lies in [lo, hi]
        hi = np.full((reps, 1), n, dtype=np.int64)
        for _ in range(steps):
            mid = (lo + hi) // 2
            miss, fa = d_at(mid)
            pos = miss - fa >= 0
            hi = np.where(pos, mid, hi)
            lo = np.where(pos, lo, mid + 1)
        k1 = hi
        m1, f1 = d_at(k1)
        m0, f0 = d_at(np.maximum(k1 - 1, 0))
        take_before = (k1 > 0) & (np.abs(m0 - f0) <= np.abs(m1 - f1))
        eer = np.where(take_before, (m0 + f0) / 2.0, (m1 + f1) / 2.0)
        out[start:start + reps] = eer[:, 0]
    return out


def eer_ci(bona: np.ndarray, spoof: np.ndarray, n_boot: int = 1000, seed: int = 0,
           level: float = 0.95) -> dict[str, float | int]:
    """Percentile bootstrap interval of the EER (fractions), JSON-ready."""
    eers = bootstrap_eers(bona, spoof, n_boot=n_boot, seed=seed)
    lo, hi = np.percentile(eers, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return {"low": float(lo), "high": float(hi), "level": level, "n_boot": n_boot, "seed": seed,
            "method": "percentile, stratified resampling"}
