"""Stored decisions (``threshold.json``, ``calibration.json``): checked when written and read.

A threshold of NaN calls every file spoof; a calibration with a slope ≤ 0 (a model worse than
chance on dev) turns the order of the scores around. Neither may be used silently:

* stage 5 (``spoofcm-eval --calibration``) stores only a usable calibration (finite, slope > 0);
  otherwise it warns, stores none and removes a stale one;
* the scorer validates what it loads and falls back, with a one-line warning, from the
  calibration to the dev EER threshold, and from an unusable threshold to the raw log-odds
  (threshold 0: bona fide iff logit[bona fide] ≥ logit[spoof]).
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from spoofcm.errors import SpoofcmError

RAW_THRESHOLD = 0.0


def calibration_problem(a: float, b: float) -> str | None:
    """Why ``LLR = a·score + b`` cannot be used to decide, or None when it can."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return f"calibration a={a}, b={b} is not finite"
    if not a > 0:
        return (f"calibration slope a={a:.6g} is not positive (the model ranks dev worse than "
                f"chance)")
    return None


def store_calibration(model, path: str | os.PathLike) -> str | None:
    """Save ``model`` (a metrics.calibration.Calibration) at ``path`` when usable; otherwise
    remove any older file there and return the warning to show."""
    problem = calibration_problem(model.a, model.b)
    if problem is None:
        model.save(path)
        return None
    Path(path).unlink(missing_ok=True)
    return f"{path}: not stored: {problem}; scores will be decided by the dev EER threshold"


def load_threshold(path: str | os.PathLike) -> float:
    """The finite threshold of a ``threshold.json``; SpoofcmError naming the file otherwise."""
    path = Path(path)
    try:
        value = float(json.loads(path.read_text(encoding="utf-8"))["threshold"])
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: not found (train the model with spoofcm-train)") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SpoofcmError(f"{path}: not a threshold file ({exc})") from None
    if not math.isfinite(value):
        raise SpoofcmError(f"{path}: threshold {value} is not a finite number")
    return value


def decision_threshold(exp: str | os.PathLike) -> tuple[float | None, str, list[str]]:
    """Score threshold (bona fide iff score ≥ it), where it came from, and warnings about
    stored decisions that could not be used; None for a trained or imported experiment that
    has no stored decision at all (an imported model before calibration)."""
    from spoofcm.metrics.calibration import Calibration, DcfModel

    exp = Path(exp)
    warnings: list[str] = []
    cal = exp / "calibration.json"
    if not cal.exists() and not (exp / "threshold.json").exists() and (exp / "best.pt").is_file():
        return None, (f"no decision threshold in {exp} (no threshold.json or calibration.json): "
                      f"raw scores only; calibrate with spoofcm-eval --dev-scores S --dev-data D "
                      f"--calibration {exp}/calibration.json"), warnings
    if cal.is_file():
        try:
            c = Calibration.load(cal)
            problem = calibration_problem(c.a, c.b)
            if problem is None:
                return (DcfModel().bayes_threshold - c.b) / c.a, \
                    "calibrated (Bayes threshold on LLR)", warnings
            warnings.append(f"{cal}: {problem}; using the dev EER threshold instead")
        except SpoofcmError as exc:
            warnings.append(f"{exc}; using the dev EER threshold instead")
    path = exp / "threshold.json"
    if not path.is_file():
        raise SpoofcmError(f"{path}: not found (train the model with spoofcm-train)")
    try:
        return load_threshold(path), "dev EER threshold", warnings
    except SpoofcmError as exc:
        warnings.append(f"{exc}; deciding on the raw score (threshold {RAW_THRESHOLD})")
    return RAW_THRESHOLD, "raw log-odds, no usable stored threshold", warnings
