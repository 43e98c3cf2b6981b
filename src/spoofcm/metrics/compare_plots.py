"""Figures that compare systems on one eval set: every system's DET curve on one plot, and a
per-attack EER bar chart of the proposed system against the best baseline.

The DET plot is the paper's kind of figure: miss against false-alarm rate on normal-deviate
(probit) axes covering 0.1-60 %, each system's EER operating point marked, the EERs in the
legend. The functions return what they drew (EERs and marker positions), so callers and tests
can check the numbers without looking at pixels.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from spoofcm.errors import SpoofcmError
from spoofcm.metrics.det import det_curve
from spoofcm.metrics.plots import MAX_POINTS, _pyplot, _save, finish_det_axes
from spoofcm.textio import read_json

AXIS_RANGE = (0.001, 0.60)   # 0.1 % to 60 % on both axes
TICKS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 40, 60)   # in %


@dataclass(frozen=True)
class DetPoint:
    """A system's EER operating point: rates as fractions, and where it was drawn (probit)."""

    system: str
    eer: float
    miss: float
    fa: float
    x: float
    y: float


def probit(p: np.ndarray | float) -> np.ndarray:
    """Normal deviate of a rate, clipped into the plotted range so 0 and 1 stay drawable."""
    from scipy.stats import norm
    lo, hi = AXIS_RANGE
    return norm.ppf(np.clip(np.asarray(p, dtype=np.float64), lo / 10, 1 - lo / 10))


def det_overlay_png(systems: dict[str, tuple[np.ndarray, np.ndarray]], path: str | os.PathLike,
                    title: str = "DET curves") -> list[DetPoint]:
    """One DET curve per ``name -> (bona, spoof)`` scores; returns the EER points drawn."""
    if not systems:
        raise SpoofcmError(f"{path}: no systems to plot")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 6))
    points = []
    for name, (bona, spoof) in systems.items():
        curve = det_curve(bona, spoof)
        k = curve.eer_index()
        step = max(1, curve.miss.size // MAX_POINTS)
        eer = float((curve.miss[k] + curve.fa[k]) / 2.0)
        line, = ax.plot(probit(curve.fa[::step]), probit(curve.miss[::step]), lw=1.4,
                        label=f"{name} (EER {100 * eer:.2f} %)")
        point = DetPoint(name, eer, float(curve.miss[k]), float(curve.fa[k]),
                         float(probit(eer)), float(probit(eer)))
        ax.plot(point.x, point.y, "o", color=line.get_color(), ms=6, mec="k", mew=0.6)
        points.append(point)
    lim = probit(np.array(AXIS_RANGE))
    ax.plot(lim, lim, "k:", lw=0.8)
    ticks = probit(np.array(TICKS) / 100)
    ax.set_xticks(ticks, [f"{t:g}" for t in TICKS])
    ax.set_yticks(ticks, [f"{t:g}" for t in TICKS])
    finish_det_axes(ax, lim, title)
    ax.legend(loc="best", fontsize=8)
    _save(fig, path)
    return points


def attack_bars_png(per_attack: dict[str, dict[str, float | None]], path: str | os.PathLike,
                    title: str = "EER per attack") -> list[str]:
    """Grouped bars, one group per attack, one bar per system (EERs as fractions; a missing
    cell is left empty, an attack no system has an EER for is left out). Returns the attacks
    in drawn order."""
    if not per_attack:
        raise SpoofcmError(f"{path}: no systems to plot")
    attacks = sorted({a for cells in per_attack.values() for a, v in cells.items() if v is not None})
    if not attacks:
        raise SpoofcmError(f"{path}: the systems have no per-attack EERs")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(attacks) * len(per_attack)), 4))
    width = 0.8 / len(per_attack)
    x = np.arange(len(attacks))
    for i, (name, cells) in enumerate(per_attack.items()):
        values = [np.nan if cells.get(a) is None else 100 * float(cells[a]) for a in attacks]
        ax.bar(x + (i - (len(per_attack) - 1) / 2) * width, values, width, label=name)
    many = len(attacks) > 8
    ax.set_xticks(x, attacks, rotation=45 if many else 0, ha="right" if many else "center")
    ax.set_ylabel("EER (%)")
    ax.set_title(title)
    ax.grid(True, axis="y", lw=0.3)
    ax.legend(fontsize=8)
    _save(fig, path)
    return attacks


# --------------------------------------------------------------------------- stage-5 results
def read_metrics(results_dir: str | os.PathLike) -> dict:
    """``exp/<tag>/results/<set>/metrics.json`` (written by spoofcm-eval)."""
    return read_json(os.path.join(results_dir, "metrics.json"),
                     " (run spoofcm-eval / stage 5 first)")


def system_scores(results_dir: str | os.PathLike, metrics: dict, keys: str | None,
                  data: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Bona fide and spoof scores of one evaluated system, labelled by the same key
    spoofcm-eval used (``--keys`` for LA/DF eval sets, ``--data`` for a data dir)."""
    from pathlib import Path

    from spoofcm.metrics.pipeline import EvalInputs, _split, load_trials
    results_dir = Path(results_dir)
    layout = results_dir.parents[1] / "scores" / results_dir.name / "score.txt"
    scores = layout if layout.is_file() else Path(str(metrics.get("scores", layout)))
    track = metrics.get("track")
    if track in ("LA", "DF") and keys is None and data is None:
        raise SpoofcmError(f"{results_dir}: a {track} eval set; give --keys (the keys folder)")
    inp = EvalInputs(scores=scores, track=track if keys else None,
                     subset=metrics.get("subset") if keys else None,
                     keys=Path(keys) if keys else None, data=Path(data) if data and not keys else None)
    cm, _, _ = load_trials(inp)
    subset = inp.subset if cm.subset_names else None
    return _split(cm, subset)


def best_baseline(metrics: dict[str, dict], proposed: str) -> str | None:
    """The other system with the lowest pooled EER (None when there is none)."""
    others = [(m.get("pooled", {}).get("eer"), name) for name, m in metrics.items()
              if name != proposed and m.get("pooled", {}).get("eer") is not None]
    return min(others)[1] if others else None


def per_attack_eers(metrics: dict) -> dict[str, float | None]:
    return {a: cell.get("eer") for a, cell in (metrics.get("per_attack") or {}).items()}
