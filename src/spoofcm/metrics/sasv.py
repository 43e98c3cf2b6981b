"""ASVspoof 5 Track 2 (spoofing-robust ASV) metrics, equal to the organisers' package.

Three numbers, with the cost model P_spoof 0.05, P_tar 0.95 x 0.99, P_non 0.95 x 0.01,
C_miss 1, C_fa 10, C_fa,spoof 10 (checked on ``shared/golden/asvspoof5_eval``):

* **min a-DCF** (Shim et al., Odyssey 2024) of the single SASV score: at each threshold,
  C_miss P_tar P_miss + C_fa P_non P_fa,non + C_fa,spoof P_spoof P_fa,spoof, normalised by
  min(C_miss P_tar, C_fa P_non + C_fa,spoof P_spoof), minimised over the points after each
  sorted score (stable sort: target, then nontarget, then spoof among equal scores).
* **min t-DCF**, the revised (2021) form of :mod:`spoofcm.metrics.tdcf` with the organisers'
  *fixed* ASV error rates (:data:`ORGANISER_ASV`), over the CM scores of the file.
* **t-EER** in % (Kinnunen et al., "Tandem EER", 2023), the concurrent t-EER: for each ASV
  threshold (the 3-class DET points of the ASV scores) the CM threshold j that minimises
  |P_miss,tdm - P_fa,tdm| at spoof prevalence rho 0.5, where
  P_miss,tdm = m_j + (1 - m_j) a and P_fa,tdm = (1 - rho)(1 - m_j) b + rho f_j c (m, f: CM miss
  and false alarm, bona fide = target and nontarget trials; a, b, c: ASV miss, nontarget and
  spoof false alarm); among the ASV points with a < (1 - rho) b + rho c, the one closest to
  the concurrency condition b / c = f_j / (1 - m_j) gives t-EER = c f_j.

The organisers scan every CM point for every ASV point (quadratic). Here P_miss,tdm -
P_fa,tdm is non-decreasing in j (m rises, f falls), so each ASV point finds its j by a
bisection, done for all ASV points at once: O(n log n) in numpy.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from spoofcm.metrics.det import class_order, det_from_labels, tie_order
from spoofcm.metrics.tdcf import CostModel, c012_from_rates, min_tdcf_from_det

#: the Track 2 cost model (the 2021 t-DCF field names; P_tar and P_non split 0.95 as 99:1)
SASV_COST = CostModel(p_spoof=0.05, p_tar=(1 - 0.05) * 0.99, p_non=(1 - 0.05) * 0.01,
                      c_miss=1.0, c_fa=10.0, c_fa_spoof=10.0)
#: the organisers' ASV error rates that their min t-DCF uses: (P_miss, P_fa,non, P_fa,spoof)
ORGANISER_ASV = (0.01880141010575793, 0.01881016557566423, 0.4607082907604729)
#: spoof prevalence at which the concurrent t-EER is located
TEER_RHO = 0.5


@dataclass(frozen=True)
class Track2Metrics:
    """min a-DCF, min t-DCF (None when undefined) and t-EER in % (NaN when undefined)."""

    min_a_dcf: float
    min_tdcf: float | None
    t_eer_percent: float

    def as_dict(self) -> dict[str, float | None]:
        return asdict(self)


def class_counts(target: np.ndarray, nontarget: np.ndarray, spoof: np.ndarray) -> np.ndarray:
    """(3, n + 1) counts of target, nontarget and spoof trials among the k lowest scores."""
    scores = np.concatenate([target, nontarget, spoof]).astype(np.float64)
    rank = np.repeat(np.arange(3, dtype=np.int64), [np.size(target), np.size(nontarget),
                                                    np.size(spoof)])
    rank = rank[class_order(scores, rank)]
    counts = np.zeros((3, rank.size + 1), dtype=np.int64)
    for r in range(3):
        np.cumsum(rank == r, out=counts[r, 1:])
    return counts


def three_class_rates(target: np.ndarray, nontarget: np.ndarray, spoof: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P_miss, P_fa,non, P_fa,spoof) after each sorted position (length n + 1).

    Written as the organisers' t-EER does (P_fa = 1 - k/n), so values are bit-equal.
    """
    counts = class_counts(target, nontarget, spoof)
    return (counts[0] / np.size(target), 1 - counts[1] / np.size(nontarget),
            1 - counts[2] / np.size(spoof))


def min_a_dcf(target: np.ndarray, nontarget: np.ndarray, spoof: np.ndarray,
              cost: CostModel = SASV_COST) -> float:
    """Normalised minimum a-DCF of SASV scores of target, nontarget and spoof trials."""
    if min(np.size(target), np.size(nontarget), np.size(spoof)) == 0:
        raise ValueError("a-DCF needs target, nontarget and spoof trials")
    counts = class_counts(target, nontarget, spoof)
    p_miss = counts[0] / np.size(target)
    p_fa_non = (np.size(nontarget) - counts[1]) / np.size(nontarget)
    p_fa_spoof = (np.size(spoof) - counts[2]) / np.size(spoof)
    a_dcf = (cost.c_miss * cost.p_tar * p_miss + cost.c_fa * cost.p_non * p_fa_non
             + cost.c_fa_spoof * cost.p_spoof * p_fa_spoof)
    norm = min(cost.c_fa * cost.p_non + cost.c_fa_spoof * cost.p_spoof, cost.c_miss * cost.p_tar)
    return float(np.min(a_dcf / norm))


def min_tdcf_fixed_asv(bona_cm: np.ndarray, spoof_cm: np.ndarray,
                       asv: tuple[float, float, float] = ORGANISER_ASV,
                       cost: CostModel = SASV_COST) -> float | None:
    """Revised min t-DCF of CM scores with given ASV rates (P_miss, P_fa,non, P_fa,spoof).

    None where the organisers' package refuses: fewer than 3 distinct CM scores, or a
    negative or undefined normalisation.
    """
    bona_cm, spoof_cm = np.asarray(bona_cm, np.float64), np.asarray(spoof_cm, np.float64)
    if bona_cm.size == 0 or spoof_cm.size == 0:
        return None
    if np.unique(np.concatenate([bona_cm, spoof_cm])).size < 3:
        return None
    c012 = c012_from_rates(*asv, cost=cost)
    if min(c012) < 0:
        return None
    scores = np.concatenate([bona_cm, spoof_cm])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[: bona_cm.size] = True
    miss, fa = det_from_labels(is_bona[tie_order(scores, is_bona)])
    return min_tdcf_from_det(miss, fa, c012)


def _tandem_gap(m: np.ndarray, f: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                j: np.ndarray, rho: float) -> np.ndarray:
    """P_miss,tdm - P_fa,tdm at CM points ``j`` (one per ASV point), in the organisers' order."""
    mj = m[j]
    return (mj + (1 - mj) * a) - ((1 - rho) * (1 - mj) * b + rho * f[j] * c)


def _first_at_least(m, f, a, b, c, rho: float, target: np.ndarray, lo: np.ndarray,
                    hi: np.ndarray) -> np.ndarray:
    """Per ASV point, the first CM point j in (lo, hi] whose gap is >= ``target``.

    Requires gap(hi) >= target and (lo = -1 or gap(lo) < target); all rows bisect together.
    """
    lo, hi = lo.copy(), hi.copy()
    while True:
        open_ = np.flatnonzero(hi - lo > 1)
        if open_.size == 0:
            return hi
        mid = (lo[open_] + hi[open_]) // 2
        up = _tandem_gap(m, f, a[open_], b[open_], c[open_], mid, rho) >= target[open_]
        hi[open_[up]] = mid[up]
        lo[open_[~up]] = mid[~up]


def t_eer(asv: tuple[np.ndarray, np.ndarray, np.ndarray],
          cm: tuple[np.ndarray, np.ndarray, np.ndarray], rho: float = TEER_RHO) -> float:
    """Concurrent t-EER in % from ASV and CM scores of (target, nontarget, spoof) trials.

    NaN when no ASV point lies in the allowed region (the organisers' package fails there).
    """
    if min(np.size(x) for x in (*asv, *cm)) == 0:
        raise ValueError("t-EER needs target, nontarget and spoof trials")
    a, b, c = three_class_rates(*asv)
    bona_cm = np.concatenate([cm[0], cm[1]]).astype(np.float64)
    spoof_cm = np.asarray(cm[2], np.float64)
    scores = np.concatenate([bona_cm, spoof_cm])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[: bona_cm.size] = True
    m, f = det_from_labels(is_bona[tie_order(scores, is_bona)])
    rows = np.flatnonzero(a < (1 - rho) * b + rho * c)
    if rows.size == 0:
        return float("nan")
    a, b, c = a[rows], b[rows], c[rows]
    n = rows.size
    last = m.size - 1
    # gap(0) < 0 in the allowed region and gap(last) = 1: bisect for the first gap >= 0
    hi = _first_at_least(m, f, a, b, c, rho, np.zeros(n), np.zeros(n, np.int64),
                         np.full(n, last, np.int64))
    lo = hi - 1
    g_hi = np.abs(_tandem_gap(m, f, a, b, c, hi, rho))
    g_lo_signed = _tandem_gap(m, f, a, b, c, lo, rho)
    use_lo = np.abs(g_lo_signed) <= g_hi
    j = hi.copy()
    if use_lo.any():   # argmin takes the first point of a plateau of equal gaps
        k = np.flatnonzero(use_lo)
        j[k] = _first_at_least(m, f, a[k], b[k], c[k], rho, g_lo_signed[k],
                               np.full(k.size, -1, np.int64), lo[k])
    with np.errstate(divide="ignore", invalid="ignore"):
        crit = np.abs(b / c - f[j] / (1 - m[j]))
    crit[~np.isfinite(crit)] = np.inf
    best = int(np.argmin(crit))
    if not np.isfinite(crit[best]):
        return float("nan")
    return float(c[best] * f[j[best]] * 100)


def track2_metrics(asv_label: np.ndarray, cm_label_bona: np.ndarray, cm: np.ndarray,
                   asv: np.ndarray, sasv: np.ndarray) -> Track2Metrics:
    """All Track 2 numbers from per-trial arrays.

    ``asv_label``: 0 target, 1 nontarget, 2 spoof; ``cm_label_bona``: True for bona fide by
    the CM label (the t-DCF's classes); ``cm``, ``asv``, ``sasv``: the three score columns.
    """
    by_class = [asv_label == k for k in range(3)]
    return Track2Metrics(
        min_a_dcf=min_a_dcf(*(sasv[s] for s in by_class)),
        min_tdcf=min_tdcf_fixed_asv(cm[cm_label_bona], cm[~cm_label_bona]),
        t_eer_percent=t_eer(tuple(asv[s] for s in by_class), tuple(cm[s] for s in by_class)))
