"""Tandem detection cost function: the revised ASVspoof 2021 form and the legacy 2019 form.

Revised (2021) t-DCF of a CM at operating point (Pmiss_cm, Pfa_cm), with the ASV system fixed
at its EER threshold t::

    C0 = Ptar Cmiss Pmiss_asv + Pnon Cfa Pfa_asv
    C1 = Ptar Cmiss - C0
    C2 = Pspoof Cfa_spoof Pfa_spoof_asv
    t-DCF = (C0 + C1 Pmiss_cm + C2 Pfa_cm) / (C0 + min(C1, C2))

ASV rates use the organisers' rule: t is the score at the ASV EER point (the k-th smallest
score, or the smallest minus 0.001 when k = 0), a trial with score >= t is accepted.

Legacy (2019) t-DCF (Kinnunen et al., 2018/2019 evaluation plan)::

    C1 = Ptar (Cmiss_cm - Cmiss_asv Pmiss_asv) - Pnon Cfa_asv Pfa_asv
    C2 = Cfa_cm Pspoof (1 - Pmiss_spoof_asv)
    t-DCF = (C1 Pmiss_cm + C2 Pfa_cm) / min(C1, C2)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spoofcm.metrics.det import FIRST_THRESHOLD_OFFSET, det_from_labels, tie_order


@dataclass(frozen=True)
class CostModel:
    """The 2021 cost model (the organisers' defaults)."""

    p_spoof: float = 0.05
    p_tar: float = 0.9405
    p_non: float = 0.0095
    c_miss: float = 1.0
    c_fa: float = 10.0
    c_fa_spoof: float = 10.0


@dataclass(frozen=True)
class LegacyCostModel:
    """The 2019 cost model: Ptar/Pnon split the non-spoof prior 99:1."""

    p_spoof: float = 0.05
    p_tar: float = (1 - 0.05) * 0.99
    p_non: float = (1 - 0.05) * 0.01
    c_miss_asv: float = 1.0
    c_fa_asv: float = 10.0
    c_miss_cm: float = 1.0
    c_fa_cm: float = 10.0


@dataclass(frozen=True)
class AsvRates:
    """ASV error rates at its EER threshold: miss, false alarm, spoof false alarm."""

    threshold: float
    p_miss: float
    p_fa: float
    p_fa_spoof: float


def asv_threshold(target: np.ndarray, nontarget: np.ndarray) -> float:
    """The organisers' ASV threshold: the score at the ASV EER operating point."""
    scores = np.concatenate([np.asarray(target, float), np.asarray(nontarget, float)])
    is_tar = np.zeros(scores.size, dtype=bool)
    is_tar[: np.asarray(target).size] = True
    order = tie_order(scores, is_tar)
    miss, fa = det_from_labels(is_tar[order])
    k = int(np.argmin(np.abs(miss - fa)))
    sorted_scores = scores[order]
    return float(sorted_scores[0] - FIRST_THRESHOLD_OFFSET if k == 0 else sorted_scores[k - 1])


def asv_rates(target: np.ndarray, nontarget: np.ndarray, spoof: np.ndarray) -> AsvRates | None:
    """ASV rates at the EER threshold (``>=`` accepts); None when a class has no trial."""
    target, nontarget, spoof = (np.asarray(a, dtype=np.float64) for a in (target, nontarget, spoof))
    if target.size == 0 or nontarget.size == 0 or spoof.size == 0:
        return None
    t = asv_threshold(target, nontarget)
    return AsvRates(threshold=t,
                    p_miss=np.count_nonzero(target < t) / target.size,
                    p_fa=np.count_nonzero(nontarget >= t) / nontarget.size,
                    p_fa_spoof=np.count_nonzero(spoof >= t) / spoof.size)


def c012_from_rates(p_miss_asv: float, p_fa_asv: float, p_fa_spoof_asv: float,
                    cost: CostModel = CostModel()) -> tuple[float, float, float]:
    """Revised t-DCF coefficients (C0, C1, C2) from ASV error rates."""
    c0 = cost.p_tar * cost.c_miss * p_miss_asv + cost.p_non * cost.c_fa * p_fa_asv
    c1 = cost.p_tar * cost.c_miss - c0
    c2 = cost.p_spoof * cost.c_fa_spoof * p_fa_spoof_asv
    return float(c0), float(c1), float(c2)


def min_tdcf_from_det(miss: np.ndarray, fa: np.ndarray, c012) -> float | None:
    """Minimum normalised revised t-DCF over the DET points; None when undefined."""
    c0, c1, c2 = c012
    if not np.all(np.isfinite([c0, c1, c2])):
        return None
    norm = c0 + min(c1, c2)
    if norm <= 0:
        return None
    return float(np.min((c0 + c1 * miss + c2 * fa) / norm))


def legacy_coefficients(p_miss_asv: float, p_fa_asv: float, p_miss_spoof_asv: float,
                        cost: LegacyCostModel = LegacyCostModel()) -> tuple[float, float]:
    """Legacy 2019 coefficients (C1, C2)."""
    c1 = cost.p_tar * (cost.c_miss_cm - cost.c_miss_asv * p_miss_asv) \
        - cost.p_non * cost.c_fa_asv * p_fa_asv
    c2 = cost.c_fa_cm * cost.p_spoof * (1 - p_miss_spoof_asv)
    return float(c1), float(c2)


def legacy_min_tdcf_from_det(miss: np.ndarray, fa: np.ndarray, c1: float, c2: float) -> float | None:
    """Minimum normalised legacy (2019) t-DCF; None when C1 or C2 is not positive."""
    if not (c1 > 0 and c2 > 0):
        return None
    return float(np.min((c1 * miss + c2 * fa) / min(c1, c2)))


def _cm_det(bona_cm: np.ndarray, spoof_cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.concatenate([np.asarray(bona_cm, float), np.asarray(spoof_cm, float)])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[: np.asarray(bona_cm).size] = True
    return det_from_labels(is_bona[tie_order(scores, is_bona)])


def min_tdcf(bona_cm: np.ndarray, spoof_cm: np.ndarray, target: np.ndarray,
             nontarget: np.ndarray, spoof_asv: np.ndarray, legacy: bool = False,
             cost: CostModel | LegacyCostModel | None = None) -> float | None:
    """Minimum normalised t-DCF of a CM from raw CM and ASV scores (revised or legacy form)."""
    rates = asv_rates(target, nontarget, spoof_asv)
    if rates is None or np.size(bona_cm) == 0 or np.size(spoof_cm) == 0:
        return None
    miss, fa = _cm_det(bona_cm, spoof_cm)
    if legacy:
        c1, c2 = legacy_coefficients(rates.p_miss, rates.p_fa, 1.0 - rates.p_fa_spoof,
                                     cost or LegacyCostModel())
        return legacy_min_tdcf_from_det(miss, fa, c1, c2)
    return min_tdcf_from_det(miss, fa, c012_from_rates(rates.p_miss, rates.p_fa,
                                                       rates.p_fa_spoof, cost or CostModel()))
