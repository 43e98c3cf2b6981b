"""Linear score fusion of several systems, fitted on dev by logistic regression.

``llr = sum_k w_k s_k + b``: the same class-balanced logistic regression as the single-system
calibration (:func:`spoofcm.metrics.calibration.fit_calibration`, equal effective priors
whatever the dev class ratio, nearly no regularisation), on a score vector per trial. The
output is therefore a calibrated LLR, and a fusion of one system is exactly its calibration.
Score files of the fused systems must hold the same trials (any order); the fused file follows
the first file's order.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import atomic_write_text


@dataclass(frozen=True)
class Fusion:
    """``llr = weights · scores + offset`` over the systems, in order."""

    systems: tuple[str, ...]
    weights: tuple[float, ...]
    offset: float
    n_bonafide: int
    n_spoof: int
    method: str = "logistic_regression_balanced"

    def apply(self, matrix: np.ndarray) -> np.ndarray:
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.weights):
            raise SpoofcmError(f"fusion of {len(self.weights)} systems given "
                               f"{matrix.shape[-1] if matrix.ndim else 0} score columns")
        return matrix @ np.asarray(self.weights) + self.offset

    def save(self, path: str | os.PathLike) -> None:
        info = asdict(self)
        info["rule"] = "llr = sum_k weights[k] * score[systems[k]] + offset"
        atomic_write_text(path, json.dumps(info, indent=2) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Fusion":
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            fusion = cls(systems=tuple(str(s) for s in d["systems"]),
                         weights=tuple(float(w) for w in d["weights"]), offset=float(d["offset"]),
                         n_bonafide=int(d["n_bonafide"]), n_spoof=int(d["n_spoof"]),
                         method=str(d.get("method", cls.method)))
        except FileNotFoundError:
            raise SpoofcmError(f"{path}: file not found") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise SpoofcmError(f"{path}: not a fusion file ({exc})") from None
        if len(fusion.systems) != len(fusion.weights) or not fusion.weights:
            raise SpoofcmError(f"{path}: {len(fusion.systems)} systems but "
                               f"{len(fusion.weights)} weights")
        return fusion


def fit_fusion(bona: np.ndarray, spoof: np.ndarray, systems: Sequence[str]) -> Fusion:
    """Fit the weights on ``(n, k)`` score matrices of bona fide and spoof dev trials."""
    from sklearn.linear_model import LogisticRegression
    if len(bona) == 0 or len(spoof) == 0:
        raise SpoofcmError("fusion needs dev scores of both classes")
    bona = np.asarray(bona, np.float64).reshape(len(bona), -1)   # (n,) = one system
    spoof = np.asarray(spoof, np.float64).reshape(len(spoof), -1)
    if bona.shape[1] != spoof.shape[1] or bona.shape[1] != len(systems):
        raise SpoofcmError(f"fusion of {len(systems)} systems given {bona.shape[1]} bona fide "
                           f"and {spoof.shape[1]} spoof score columns")
    x = np.concatenate([bona, spoof])
    y = np.concatenate([np.ones(len(bona)), np.zeros(len(spoof))])
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0   # conditioning only; undone below
    model = LogisticRegression(C=1e6, class_weight="balanced", max_iter=5000, tol=1e-8)
    model.fit(x / scale, y)
    return Fusion(systems=tuple(systems), weights=tuple(float(w) for w in model.coef_[0] / scale),
                  offset=float(model.intercept_[0]), n_bonafide=len(bona), n_spoof=len(spoof))


def score_matrix(paths: Sequence[str | os.PathLike]) -> tuple[list[str], np.ndarray]:
    """Trials of the first file and an ``(n, k)`` matrix of every file's score for them."""
    from spoofcm.metrics.keys import read_score_file
    if not paths:
        raise SpoofcmError("no score files to fuse")
    columns, ids = [], None
    for path in paths:
        raw_ids, values = read_score_file(path)
        names = [i.decode() if isinstance(i, bytes) else str(i) for i in raw_ids]
        if ids is None:
            ids, index = names, {u: n for n, u in enumerate(names)}
            columns.append(np.asarray(values, np.float64))
            continue
        if len(names) != len(ids) or any(u not in index for u in names):
            extra = next((u for u in names if u not in index), None)
            missing = next(iter(set(ids) - set(names)), None)
            what = f"trial '{extra}' is not in {paths[0]}" if extra else f"trial '{missing}' is missing"
            raise SpoofcmError(f"{path}: {what} (fused systems must score the same trials)")
        col = np.empty(len(ids))
        col[[index[u] for u in names]] = values
        columns.append(col)
    return ids, np.stack(columns, axis=1)


def fit_fusion_files(dev_scores: Sequence[str | os.PathLike], utt2label: dict[str, str],
                     systems: Sequence[str], label_source: str = "utt2label") -> Fusion:
    """Fit on dev score files labelled by ``utt2label``."""
    ids, matrix = score_matrix(dev_scores)
    labels = []
    for u in ids:
        lab = utt2label.get(u)
        if lab not in ("bonafide", "spoof"):
            raise SpoofcmError(f"{label_source}: trial '{u}' of {dev_scores[0]} has "
                               f"{'no label' if lab is None else f'label {lab!r}'}")
        labels.append(lab == "bonafide")
    is_bona = np.asarray(labels)
    return fit_fusion(matrix[is_bona], matrix[~is_bona], systems)
