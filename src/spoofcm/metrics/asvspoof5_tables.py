"""ASVspoof 5 Track 1 metrics of a data dir: pooled, per attack and per condition (codec).

What stage 5 of ``egs/asvspoof5`` and ``egs/in_the_wild`` reports next to the 2021 tables: the
four Track 1 numbers (min DCF, EER, Cllr, actual DCF) pooled; per attack (all bona fide trials
against the spoofs of one attack, as the ASVspoof 5 papers break EER down); per condition (the
trials of one ``utt2cond`` value: the codec for ASVspoof 5, the speaker for In-the-Wild).
With a calibration (fitted on dev) Cllr and actual DCF are those of the calibrated LLRs; EER
and min DCF do not change under the increasing affine map.

The pooled scores are sorted once; each cell's DET curve is the masked subsequence of that
order, so every cell costs O(n).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from spoofcm.errors import SpoofcmError
from spoofcm.labels import BONAFIDE, SPOOF
from spoofcm.fsutil import atomic_write_text
from spoofcm.metrics.asvspoof5 import track1_from_det
from spoofcm.metrics.calibration import Calibration
from spoofcm.metrics.det import det_from_labels, tie_order
from spoofcm.metrics.keys import Trials, attach_scores, read_data_dir_trials

Cell = dict[str, float] | None


def _cell(scores: np.ndarray, is_bona: np.ndarray, sorted_bona: np.ndarray, order: np.ndarray,
          mask: np.ndarray) -> Cell:
    bona, spoof = scores[mask & is_bona], scores[mask & ~is_bona]
    if bona.size == 0 or spoof.size == 0:
        return None
    miss, fa = det_from_labels(sorted_bona[mask[order]])
    return track1_from_det(miss, fa, bona, spoof).as_dict()


def track1_tables(trials: Trials, calibration: Calibration | None = None) -> dict[str, Any]:
    """{"pooled", "per_attack", "per_condition"} of Track 1 metrics (None: a class is empty)."""
    scores = trials.scores if calibration is None else calibration.apply(trials.scores)
    is_bona = trials.label == BONAFIDE
    order = tie_order(scores, is_bona)
    sorted_bona = is_bona[order]
    everything = np.ones(scores.size, dtype=bool)
    per_attack = {name: _cell(scores, is_bona, sorted_bona, order, is_bona | (trials.row == r))
                  for r, name in enumerate(trials.row_names)}
    per_condition = {name: _cell(scores, is_bona, sorted_bona, order, trials.col == c)
                     for c, name in enumerate(trials.col_names)}
    return {"pooled": _cell(scores, is_bona, sorted_bona, order, everything),
            "per_attack": per_attack, "per_condition": per_condition,
            "scores": "raw" if calibration is None else "calibrated",
            "n_bonafide": int(is_bona.sum()), "n_spoof": int((~is_bona).sum())}


def _fmt(cell: Cell) -> str:
    if cell is None:
        return "| - | - | - | - |"
    return (f"| {cell['min_dcf']:.4f} | {100 * cell['eer']:.2f} | {cell['cllr']:.4f} | "
            f"{cell['act_dcf']:.4f} |")


def tables_markdown(tables: dict[str, Any], col_factor: str = "condition") -> str:
    """Pooled, per-attack and per-condition tables (EER in %)."""
    head = "| min DCF | EER (%) | Cllr (bits) | actual DCF |"
    rule = "|---|---|---|---|---|"
    lines = [f"ASVspoof 5 Track 1 metrics ({tables['scores']} scores; {tables['n_bonafide']} "
             f"bona fide, {tables['n_spoof']} spoof trials)", "",
             f"| set {head}", rule, f"| pooled {_fmt(tables['pooled'])}", "",
             f"| attack {head}", rule]
    lines += [f"| {name} {_fmt(cell)}" for name, cell in tables["per_attack"].items()]
    lines += ["", f"| {col_factor} {head}", rule]
    lines += [f"| {name} {_fmt(cell)}" for name, cell in tables["per_condition"].items()]
    return "\n".join(lines) + "\n"


def write_track1_tables(data_dir: Path, score_path: Path, out_dir: Path,
                        calibration: Calibration | None = None,
                        col_factor: str = "condition") -> dict[str, Any]:
    """Score a data dir and write ``track1.json`` and ``track1.md`` under ``out_dir``."""
    trials = attach_scores(read_data_dir_trials(data_dir), score_path)
    tables = track1_tables(trials, calibration)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "track1.json", json.dumps(tables, indent=1) + "\n")
    atomic_write_text(out_dir / "track1.md", tables_markdown(tables, col_factor))
    return tables


def tables_after_eval(data_dir: Path | None, score_path: Path, out_dir: Path | None,
                      result: dict[str, Any], calib_path: Path | None = None) -> str:
    """``spoofcm-eval --track1-tables``: the tables of a ``--data`` run, calibrated when that
    run fitted or loaded a calibration; returns the pooled line for the log."""
    if data_dir is None or out_dir is None:
        raise SpoofcmError("--track1-tables needs --data and --out")
    calibration = None
    if calib_path is not None and calib_path.is_file():
        calibration = Calibration.load(calib_path)
    elif "calibrated" in result:
        c = result["calibrated"]
        calibration = Calibration(a=c["a"], b=c["b"], n_bonafide=0, n_spoof=0)
    if calibration is not None:
        from spoofcm.metrics.decisions import calibration_problem
        if calibration_problem(calibration.a, calibration.b) is not None:
            calibration = None  # a map that inverts or breaks the scores: report raw ones
    tables = write_track1_tables(data_dir, score_path, out_dir, calibration)
    p = tables["pooled"]
    return (f"ASVspoof 5 Track 1 ({tables['scores']} scores): min DCF {p['min_dcf']:.4f}, "
            f"EER {100 * p['eer']:.2f} %, Cllr {p['cllr']:.4f} bits, actual DCF "
            f"{p['act_dcf']:.4f} (tables in {out_dir}/track1.md)")
