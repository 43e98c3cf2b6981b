"""One ASVspoof 5 evaluation: official TSVs in, ``metrics.json`` out (``spoofcm-eval`` mode).

Track 1 (``--scores cm_score.tsv --cm-key cm_key.tsv``) and Track 2 (``--sasv-scores
sasv_score.tsv --sasv-key sasv_key.tsv``) can be given together; metrics.json then holds
both ``track1`` and ``track2``. With a released protocol as Track 1 key
(``ASVspoof5.eval.track_1.tsv``) also ``track1_tables`` (per attack and per codec) and
``track1.md``. Kept apart from argument parsing so recipes can call
:func:`evaluate_asvspoof5` directly.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from spoofcm.errors import SpoofcmError
from spoofcm.labels import BONAFIDE, SPOOF
from spoofcm.fsutil import atomic_write_text
from spoofcm.metrics.asvspoof5 import decision_threshold, track1_metrics
from spoofcm.metrics.asvspoof5_io import read_track1_trials, read_track2
from spoofcm.metrics.asvspoof5_tables import tables_markdown, track1_tables
from spoofcm.metrics.calibration import DcfModel
from spoofcm.metrics.sasv import ORGANISER_ASV, SASV_COST, TEER_RHO, track2_metrics


def _track1(scores: Path, key: Path) -> dict[str, Any]:
    trials = read_track1_trials(scores, key)
    is_bona = trials.label == BONAFIDE
    bona, spoof = trials.scores[is_bona], trials.scores[~is_bona]
    if bona.size == 0 or spoof.size == 0:
        raise SpoofcmError(f"{key}: Track 1 needs both bona fide and spoof trials "
                           f"({bona.size} bona fide, {spoof.size} spoof)")
    model = DcfModel()
    out = {"track1": track1_metrics(bona, spoof, model).as_dict(),
           "track1_info": {"scores": str(scores), "key": str(key), "n_bonafide": int(bona.size),
                           "n_spoof": int(spoof.size), "cost_model": asdict(model),
                           "act_dcf_threshold": decision_threshold(model)}}
    if trials.col_names != ["all"]:   # a released protocol as key: attacks and codecs known
        out["track1_tables"] = track1_tables(trials)
    return out


def _track2(scores: Path, key: Path) -> dict[str, Any]:
    t = read_track2(scores, key)
    counts = np.bincount(t.asv_label, minlength=3)
    if counts.min() == 0:
        raise SpoofcmError(f"{key}: Track 2 needs target, nontarget and spoof trials "
                           f"({counts[0]} target, {counts[1]} nontarget, {counts[2]} spoof)")
    return {"track2": track2_metrics(t.asv_label, t.cm_bona, t.cm, t.asv, t.sasv).as_dict(),
            "track2_info": {"scores": str(scores), "key": str(key), "n_target": int(counts[0]),
                            "n_nontarget": int(counts[1]), "n_spoof": int(counts[2]),
                            "cost_model": asdict(SASV_COST),
                            "tdcf_asv_rates": dict(zip(("p_miss", "p_fa", "p_fa_spoof"),
                                                       ORGANISER_ASV)),
                            "t_eer_rho": TEER_RHO}}


def evaluate_asvspoof5(scores: Path | None = None, cm_key: Path | None = None,
                       sasv_scores: Path | None = None, sasv_key: Path | None = None,
                       out_dir: Path | None = None) -> dict[str, Any]:
    """Track 1 and/or Track 2 metrics; written to ``out_dir/metrics.json`` when given."""
    if (scores is None) != (cm_key is None):
        raise SpoofcmError("Track 1 needs both --scores (cm_score.tsv) and --cm-key (cm_key.tsv)")
    if (sasv_scores is None) != (sasv_key is None):
        raise SpoofcmError("Track 2 needs both --sasv-scores and --sasv-key")
    if scores is None and sasv_scores is None:
        raise SpoofcmError("nothing to evaluate: give --scores/--cm-key and/or "
                           "--sasv-scores/--sasv-key")
    result: dict[str, Any] = {"benchmark": "ASVspoof 5"}
    if scores is not None:
        result.update(_track1(Path(scores), Path(cm_key)))
    if sasv_scores is not None:
        result.update(_track2(Path(sasv_scores), Path(sasv_key)))
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out_dir / "metrics.json", json.dumps(result, indent=2) + "\n")
        if "track1_tables" in result:
            atomic_write_text(out_dir / "track1.md",
                              tables_markdown(result["track1_tables"], col_factor="codec"))
    return result


def summary_lines(result: dict[str, Any]) -> list[str]:
    """Human-readable lines, in the organisers' units (EER and t-EER in %)."""
    lines = []
    if "track1" in result:
        m = result["track1"]
        lines.append(f"Track 1: min DCF {m['min_dcf']:.5f}  EER {100 * m['eer']:.3f} %  "
                     f"Cllr {m['cllr']:.5f} bits  actual DCF {m['act_dcf']:.5f}")
    if "track2" in result:
        m = result["track2"]
        tdcf = "n/a" if m["min_tdcf"] is None else f"{m['min_tdcf']:.5f}"
        lines.append(f"Track 2: min a-DCF {m['min_a_dcf']:.5f}  min t-DCF {tdcf}  "
                     f"t-EER {m['t_eer_percent']:.3f} %")
    return lines

