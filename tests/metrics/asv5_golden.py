"""Load the golden ASVspoof 5 cases (plain-Python parsing, independent of the readers tested)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

CASES = ("case_small", "case_ties")


def rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines()[1:]]


def track1_arrays(case: Path) -> tuple[np.ndarray, np.ndarray]:
    score = {r[0]: float(r[1]) for r in rows(case / "cm_score.tsv")}
    key = dict(rows(case / "cm_key.tsv"))
    bona = np.array([score[t] for t, lab in key.items() if lab == "bonafide"])
    spoof = np.array([score[t] for t, lab in key.items() if lab == "spoof"])
    return bona, spoof


def track2_arrays(case: Path) -> dict[str, np.ndarray]:
    key = {(r[0], r[1]): r[2:] for r in rows(case / "sasv_key.tsv")}
    out: dict[str, list] = {k: [] for k in ("asv_label", "cm_bona", "cm", "asv", "sasv")}
    for r in rows(case / "sasv_score.tsv"):
        cm_label, asv_label = key[(r[0], r[1])]
        out["asv_label"].append(("target", "nontarget", "spoof").index(asv_label))
        out["cm_bona"].append(cm_label == "bonafide")
        for name, value in zip(("cm", "asv", "sasv"), r[2:]):
            out[name].append(float(value))
    return {k: np.array(v) for k, v in out.items()}


def expected(case: Path) -> dict:
    return json.loads((case / "expected.json").read_text())
