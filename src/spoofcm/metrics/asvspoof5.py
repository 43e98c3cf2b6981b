"""ASVspoof 5 Track 1 (countermeasure alone) metrics, equal to the organisers' package.

The ASVspoof 5 evaluation plan ranks CMs by the normalised minimum detection cost (min DCF) of
the cost model P_spoof 0.05, C_miss 1, C_fa 10 (:class:`~spoofcm.metrics.calibration.DcfModel`)
and also reports EER, Cllr and actual DCF. Facts the organisers' package fixes (checked on
``shared/golden/asvspoof5_eval``):

* the DET points are the 2021 ones (stable sort, bona fide before spoof among equal scores);
  EER is (miss + fa) / 2 at the first point of smallest |miss - fa|, a fraction;
* min DCF = min over those points of C_miss (1 - P) miss + C_fa P fa, divided by
  min(C_miss (1 - P), C_fa P);
* Cllr and actual DCF take the *raw* scores as natural-log likelihood ratios (no calibration):
  the actual DCF decides at tau = -log(beta), beta = C_miss (1 - P) / (C_fa P), a bona fide
  trial is missed iff score < tau and a spoof passes iff score >= tau.

One sort of the pooled scores serves EER and min DCF; Cllr and actual DCF need none.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from spoofcm.metrics.calibration import DcfModel, cllr
from spoofcm.metrics.det import det_from_labels, tie_order


@dataclass(frozen=True)
class Track1Metrics:
    """The four Track 1 numbers (``eer`` a fraction; ``cllr`` in bits)."""

    min_dcf: float
    eer: float
    cllr: float
    act_dcf: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def decision_threshold(model: DcfModel = DcfModel()) -> float:
    """The Bayes threshold on an LLR, written as the organisers do (-log beta)."""
    beta = model.c_miss * (1 - model.p_spoof) / (model.c_fa * model.p_spoof)
    return float(-np.log(beta))


def act_dcf(bona: np.ndarray, spoof: np.ndarray, model: DcfModel = DcfModel()) -> float:
    """Normalised DCF of raw scores read as LLRs, decided at :func:`decision_threshold`."""
    bona, spoof = np.asarray(bona, np.float64), np.asarray(spoof, np.float64)
    tau = decision_threshold(model)
    p_miss = np.count_nonzero(bona < tau) / bona.size
    p_fa = np.count_nonzero(spoof >= tau) / spoof.size
    cost = model.c_miss * (1 - model.p_spoof) * p_miss + model.c_fa * model.p_spoof * p_fa
    return float(cost / min(model.c_fa * model.p_spoof, model.c_miss * (1 - model.p_spoof)))


def min_dcf_from_det(miss: np.ndarray, fa: np.ndarray, model: DcfModel = DcfModel()) -> float:
    """Normalised DCF minimised over given DET points."""
    p_bona = 1 - model.p_spoof
    cost = model.c_miss * miss * p_bona + model.c_fa * fa * model.p_spoof
    return float(np.min(cost) / min(model.c_miss * p_bona, model.c_fa * model.p_spoof))


def pooled_det(bona: np.ndarray, spoof: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Official DET points (miss, fa) of two score sets, from one sort."""
    scores = np.concatenate([np.asarray(bona, np.float64), np.asarray(spoof, np.float64)])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[: np.size(bona)] = True
    return det_from_labels(is_bona[tie_order(scores, is_bona)])


def track1_from_det(miss: np.ndarray, fa: np.ndarray, bona: np.ndarray, spoof: np.ndarray,
                    model: DcfModel = DcfModel()) -> Track1Metrics:
    """The four numbers from official DET points (any order-preserving subset of one sort)."""
    k = int(np.argmin(np.abs(miss - fa)))
    c = cllr(bona, spoof)
    if not math.isfinite(c):
        raise ValueError("Cllr is not finite (a score is NaN or infinite)")
    return Track1Metrics(min_dcf=min_dcf_from_det(miss, fa, model),
                         eer=float((miss[k] + fa[k]) / 2.0), cllr=c,
                         act_dcf=act_dcf(bona, spoof, model))


def track1_metrics(bona: np.ndarray, spoof: np.ndarray,
                   model: DcfModel = DcfModel()) -> Track1Metrics:
    """min DCF, EER, Cllr and actual DCF of bona fide and spoof CM scores."""
    if np.size(bona) == 0 or np.size(spoof) == 0:
        raise ValueError("Track 1 metrics need at least one bona fide and one spoof score")
    return track1_from_det(*pooled_det(bona, spoof), bona, spoof, model)
