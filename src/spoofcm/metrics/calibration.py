"""Score calibration (logistic regression fitted on dev) and calibration-sensitive metrics.

EER and min t-DCF ignore how scores are scaled; a deployed CM needs a threshold chosen in
advance, so we also report *actual* costs on calibrated log-likelihood ratios (LLRs):

* Cllr (Brümmer's log-likelihood-ratio cost, in bits): 0 is perfect, 1 is an uninformative
  system that always outputs LLR 0; above 1 the scores are badly calibrated.
* actual DCF: the normalised CM detection cost of ASVspoof 5 (pi_spoof = 0.05, C_miss = 1,
  C_fa = 10), with the decision taken at its Bayes threshold on the LLR,
  tau = log(C_fa pi_spoof / (C_miss (1 - pi_spoof))) (about -0.642): bona fide iff LLR > tau.
  Normalised by min(C_miss (1 - pi_spoof), C_fa pi_spoof), so 1 is the cost of always
  accepting or always rejecting, whichever is cheaper. min DCF is the same cost at the best
  threshold chosen with the key (what calibration can at most reach).

The calibration is an affine map LLR = a * score + b fitted with class-balanced logistic
regression (scikit-learn), so the fitted log-odds are LLRs for equal priors whatever the dev
set's class ratio.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import atomic_write_text
from spoofcm.metrics.det import det_from_labels, tie_order


@dataclass(frozen=True)
class DcfModel:
    """CM-only detection cost model (ASVspoof 5 values)."""

    p_spoof: float = 0.05
    c_miss: float = 1.0
    c_fa: float = 10.0

    @property
    def bayes_threshold(self) -> float:
        return math.log(self.c_fa * self.p_spoof / (self.c_miss * (1 - self.p_spoof)))

    @property
    def norm(self) -> float:
        return min(self.c_miss * (1 - self.p_spoof), self.c_fa * self.p_spoof)


@dataclass(frozen=True)
class Calibration:
    """LLR = a * score + b."""

    a: float
    b: float
    n_bonafide: int
    n_spoof: int
    method: str = "logistic_regression_balanced"

    def apply(self, scores: np.ndarray) -> np.ndarray:
        return self.a * np.asarray(scores, dtype=np.float64) + self.b

    def save(self, path: str | os.PathLike) -> None:
        atomic_write_text(path, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Calibration":
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(a=float(d["a"]), b=float(d["b"]), n_bonafide=int(d["n_bonafide"]),
                       n_spoof=int(d["n_spoof"]), method=str(d.get("method", cls.method)))
        except FileNotFoundError:
            raise SpoofcmError(f"{path}: file not found") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise SpoofcmError(f"{path}: not a calibration file ({exc})") from None


def fit_calibration(bona: np.ndarray, spoof: np.ndarray) -> Calibration:
    """Fit LLR = a s + b by class-balanced logistic regression (bona fide = positive class)."""
    from sklearn.linear_model import LogisticRegression

    bona, spoof = np.asarray(bona, np.float64), np.asarray(spoof, np.float64)
    if bona.size == 0 or spoof.size == 0:
        raise SpoofcmError("calibration needs dev scores of both classes")
    x = np.concatenate([bona, spoof])[:, None]
    y = np.concatenate([np.ones(bona.size), np.zeros(spoof.size)])
    scale = float(np.std(x)) or 1.0   # conditioning only; undone below
    model = LogisticRegression(C=1e6, class_weight="balanced", max_iter=1000)
    model.fit(x / scale, y)
    return Calibration(a=float(model.coef_[0, 0]) / scale, b=float(model.intercept_[0]),
                       n_bonafide=int(bona.size), n_spoof=int(spoof.size))


def cllr(bona_llr: np.ndarray, spoof_llr: np.ndarray) -> float:
    """Log-likelihood-ratio cost in bits (natural-log LLRs)."""
    c_bona = np.mean(np.logaddexp(0.0, -np.asarray(bona_llr, np.float64)))
    c_spoof = np.mean(np.logaddexp(0.0, np.asarray(spoof_llr, np.float64)))
    return float((c_bona + c_spoof) / (2.0 * math.log(2.0)))


def actual_dcf(bona_llr: np.ndarray, spoof_llr: np.ndarray, model: DcfModel = DcfModel()) -> float:
    """Normalised DCF at the Bayes threshold (bona fide iff LLR > tau)."""
    tau = model.bayes_threshold
    p_miss = np.count_nonzero(np.asarray(bona_llr) <= tau) / np.size(bona_llr)
    p_fa = np.count_nonzero(np.asarray(spoof_llr) > tau) / np.size(spoof_llr)
    return float((model.c_miss * (1 - model.p_spoof) * p_miss
                  + model.c_fa * model.p_spoof * p_fa) / model.norm)


def min_dcf(bona: np.ndarray, spoof: np.ndarray, model: DcfModel = DcfModel()) -> float:
    """Normalised DCF at the best threshold (over the official DET points)."""
    scores = np.concatenate([bona, spoof])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[: np.size(bona)] = True
    miss, fa = det_from_labels(is_bona[tie_order(scores, is_bona)])
    cost = model.c_miss * (1 - model.p_spoof) * miss + model.c_fa * model.p_spoof * fa
    return float(np.min(cost) / model.norm)


def calibration_report(bona_llr: np.ndarray, spoof_llr: np.ndarray,
                       model: DcfModel = DcfModel()) -> dict[str, float]:
    """The calibration-sensitive numbers of one score set (JSON-ready)."""
    return {"cllr": cllr(bona_llr, spoof_llr),
            "actual_dcf": actual_dcf(bona_llr, spoof_llr, model),
            "min_dcf": min_dcf(bona_llr, spoof_llr, model),
            "bayes_threshold": model.bayes_threshold,
            "cost_model": {"p_spoof": model.p_spoof, "c_miss": model.c_miss, "c_fa": model.c_fa}}
