"""DET curve and per-class score histogram as PNG (matplotlib, Agg backend: no display)."""
from __future__ import annotations

import os

import numpy as np

from spoofcm.fsutil import atomic_path
from spoofcm.metrics.det import det_from_labels, tie_order

MAX_POINTS = 5000   # a DET curve needs no more to look exact; keeps PNGs fast for 600k trials


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def det_png(bona: np.ndarray, spoof: np.ndarray, path: str | os.PathLike, eer: float | None = None,
            title: str = "DET curve") -> None:
    """DET curve on normal-deviate axes (miss vs false alarm, in %)."""
    from scipy.special import ndtri   # = scipy.stats.norm.ppf, without importing scipy.stats

    plt = _pyplot()
    scores = np.concatenate([bona, spoof])
    is_bona = np.zeros(scores.size, dtype=bool)
    is_bona[: np.size(bona)] = True
    miss, fa = det_from_labels(is_bona[tie_order(scores, is_bona)])
    step = max(1, miss.size // MAX_POINTS)
    miss, fa = miss[::step], fa[::step]
    eps = 1e-4
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(ndtri(np.clip(fa, eps, 1 - eps)), ndtri(np.clip(miss, eps, 1 - eps)), lw=1.5)
    ticks = np.array([0.1, 0.5, 1, 2, 5, 10, 20, 40]) / 100
    ax.set_xticks(ndtri(ticks), [f"{100 * t:g}" for t in ticks])
    ax.set_yticks(ndtri(ticks), [f"{100 * t:g}" for t in ticks])
    lim = ndtri([eps, 0.6])
    ax.plot(lim, lim, "k:", lw=0.8)
    if eer is not None and 0 < eer < 1:
        ax.plot(ndtri(eer), ndtri(eer), "ro", label=f"EER {100 * eer:.2f} %")
        ax.legend(loc="upper right")
    finish_det_axes(ax, lim, title)
    _save(fig, path)


def finish_det_axes(ax, lim, title: str) -> None:
    """Square normal-deviate DET axes with their labels (every DET figure of spoofcm)."""
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel("False alarm rate (spoof accepted, %)")
    ax.set_ylabel("Miss rate (bona fide rejected, %)")
    ax.set_title(title)
    ax.grid(True, lw=0.3)


def hist_png(bona: np.ndarray, spoof: np.ndarray, path: str | os.PathLike,
             title: str = "Score distribution") -> None:
    """Density histograms of bona fide and spoof scores on shared bins."""
    plt = _pyplot()
    both = np.concatenate([bona, spoof])
    bins = np.linspace(both.min(), both.max() + 1e-9, 80)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(spoof, bins=bins, density=True, alpha=0.6, label=f"spoof ({np.size(spoof)})")
    ax.hist(bona, bins=bins, density=True, alpha=0.6, label=f"bona fide ({np.size(bona)})")
    ax.set_xlabel("CM score (higher = more bona fide)")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend()
    _save(fig, path)


def _save(fig, path: str | os.PathLike) -> None:
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=100, bbox_inches="tight", format="png")
    fig.get_figure().clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
