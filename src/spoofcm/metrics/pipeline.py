"""One evaluation run: keys + scores in, tables, calibration, bootstrap and files out.

This is the library behind ``spoofcm-eval``; it is kept apart from argument parsing so that
recipes and notebooks can call :func:`evaluate` directly.
"""
from __future__ import annotations

import json
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spoofcm.metrics.decisions import calibration_problem, store_calibration
from spoofcm.errors import SpoofcmError
from spoofcm.labels import BONAFIDE, SPOOF
from spoofcm.fsutil import atomic_write_text
from spoofcm.metrics import calibration as cal
from spoofcm.metrics.bootstrap import eer_ci
from spoofcm.metrics.decompose import Tables, evaluate_trials
from spoofcm.metrics.keys import (Trials, asv_key_path, attach_scores, default_asv_scores,
                                  read_asv, read_cm_key, read_data_dir_trials, read_score_file)
from spoofcm.metrics.report import metrics_dict, per_attack_markdown, per_condition_markdown
from spoofcm.metrics.tdcf import min_tdcf
from spoofcm.metrics.resultset import result_dir


@dataclass
class EvalInputs:
    """Where the trials come from; exactly one of ``keys`` and ``data`` is set."""

    scores: Path
    track: str | None
    subset: str | None = "eval"
    keys: Path | None = None
    data: Path | None = None
    asv_scores: Path | None = None
    asv_key: Path | None = None


def load_trials(inp: EvalInputs) -> tuple[Trials, Trials | None, list[str]]:
    """CM trials with scores, and ASV trials with scores when t-DCF can be computed."""
    notes: list[str] = []
    if (inp.keys is None) == (inp.data is None):
        raise SpoofcmError("give exactly one of --keys and --data")
    if inp.keys is not None and inp.track not in ("LA", "DF"):
        raise SpoofcmError("--track LA or DF is required with --keys")
    # the score file is parsed in a second thread while the key is (numpy releases the GIL
    # for most of both); the key's errors still come first
    with ThreadPoolExecutor(1) as pool:
        scores = pool.submit(read_score_file, inp.scores, False)
        cm = read_cm_key(inp.keys, inp.track) if inp.keys is not None else \
            read_data_dir_trials(inp.data)
        attach_scores(cm, inp.scores, preread=scores.result())
    asv = None
    if inp.track != "DF":
        key = inp.asv_key or (asv_key_path(inp.keys) if inp.keys is not None else None)
        scores = inp.asv_scores or (default_asv_scores(inp.keys) if inp.keys is not None else None)
        if scores is not None and key is None:
            raise SpoofcmError("--asv-scores with --data needs --asv-key (the ASV trial key)")
        if scores is not None:
            asv = read_asv(key, scores, cm)
        elif inp.keys is not None:
            notes.append(f"no ASV scores given or found under {inp.keys}/LA/ASV: min t-DCF not "
                         "computed (pass --asv-scores)")
    return cm, asv, notes


def _split(trials: Trials, subset: str | None) -> tuple[np.ndarray, np.ndarray]:
    sel = trials.select(trials.subset_mask(subset))
    return sel.scores[sel.label == BONAFIDE], sel.scores[sel.label == SPOOF]


def calibrate(dev_scores: Path | None, dev_data: Path | None, calib_path: Path | None,
              bona: np.ndarray, spoof: np.ndarray) -> dict[str, Any] | None:
    """Fit on dev (saving the map) or load a saved map, then score eval calibration metrics."""
    if dev_scores is not None:
        if dev_data is None:
            raise SpoofcmError("--dev-scores needs --dev-data (a data dir with utt2label)")
        dev = attach_scores(read_data_dir_trials(dev_data), dev_scores)
        d_bona, d_spoof = dev.scores[dev.label == BONAFIDE], dev.scores[dev.label == SPOOF]
        model = cal.fit_calibration(d_bona, d_spoof)
        stored_warning = store_calibration(model, calib_path) if calib_path is not None else None
        if stored_warning:
            calib_path = None
        dev_report = cal.calibration_report(model.apply(d_bona), model.apply(d_spoof))
    elif calib_path is not None:
        model, dev_report, stored_warning = cal.Calibration.load(calib_path), None, None
    else:
        return None
    problem = calibration_problem(model.a, model.b)
    if problem is not None and stored_warning is None:
        stored_warning = f"dev calibration not used: {problem}"
    out = {"calibration_file": None if calib_path is None else str(calib_path),
           **({"warning": stored_warning} if stored_warning else {}),
           "a": model.a, "b": model.b, "method": model.method,
           "dev": dev_report, "eval_raw_cllr": cal.cllr(bona, spoof)}
    if problem is None:  # the calibrated metrics of an inverting map would describe flipped scores
        out["eval"] = cal.calibration_report(model.apply(bona), model.apply(spoof))
    else:
        out["unusable"] = problem
    return out


def evaluate(inp: EvalInputs, out_dir: Path | None = None, dev_scores: Path | None = None,
             dev_data: Path | None = None, calib_path: Path | None = None, n_boot: int = 1000,
             seed: int = 0, legacy_tdcf: bool = False, plots: bool = True
             ) -> tuple[Tables, dict[str, Any]]:
    """Run the whole evaluation; write outputs under ``out_dir`` when given."""
    cm, asv, notes = load_trials(inp)
    subset = inp.subset if cm.subset_names else None
    if inp.subset and not cm.subset_names:
        notes.append(f"{inp.data}: no utt2subset, so every trial is scored (not only "
                     f"'{inp.subset}')")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = evaluate_trials(cm, subset, asv)
    bona, spoof = _split(cm, subset)
    if bona.size == 0 or spoof.size == 0:
        raise SpoofcmError(f"{cm.source}: subset '{subset}' has {bona.size} bona fide and "
                           f"{spoof.size} spoofed trials; both are needed")
    tables.warnings[:0] = notes
    extra: dict[str, Any] = {"eer_percent": tables.pooled["eer"] and 100 * tables.pooled["eer"],
                             "row_factor": "attack" if inp.track != "DF" else "vocoder",
                             "col_factor": {"LA": "codec", "DF": "compression"}.get(
                                 inp.track or "", "condition"),
                             "scores": str(inp.scores)}
    if n_boot > 0:
        extra["eer_ci"] = eer_ci(bona, spoof, n_boot=n_boot, seed=seed)
    if legacy_tdcf and asv is not None:
        a_sel = asv.select(asv.subset_mask(subset))
        extra["legacy_min_tdcf"] = min_tdcf(bona, spoof, a_sel.scores[a_sel.label == 0],
                                            a_sel.scores[a_sel.label == 1],
                                            a_sel.scores[a_sel.label == 2], legacy=True)
    calibrated = calibrate(dev_scores, dev_data, calib_path, bona, spoof)
    if calibrated is not None:
        extra["calibrated"] = calibrated
        if calibrated.get("warning"):
            tables.warnings.append(calibrated["warning"])
    result = metrics_dict(tables, inp.track, subset, extra)
    if out_dir is not None:  # all files of this run appear together, or none (resultset)
        with result_dir(out_dir) as work:
            write_outputs(work, tables, result, inp.track, bona, spoof, plots)
    return tables, result


def write_outputs(out_dir: Path, tables: Tables, result: dict[str, Any], track: str | None,
                  bona: np.ndarray, spoof: np.ndarray, plots: bool = True) -> None:
    """metrics.json, the two Markdown tables and (optionally) the two PNGs, each atomically."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "per_attack.md", per_attack_markdown(tables, track))
    atomic_write_text(out_dir / "per_condition.md", per_condition_markdown(tables, track))
    if plots:
        from spoofcm.metrics.plots import det_png, hist_png

        det_png(bona, spoof, out_dir / "det.png", eer=tables.pooled["eer"])
        hist_png(bona, spoof, out_dir / "hist.png")
    atomic_write_text(out_dir / "metrics.json", json.dumps(result, indent=1) + "\n")


def env_path(value: str | os.PathLike | None) -> Path | None:
    return None if value in (None, "") else Path(value)
