"""Scoring a set with a model (dev selection during training, stage 4 scoring) and the EER
threshold stored with a trained model.

Score = logit[bona fide] − logit[spoof] (log-odds, higher = more bona fide). The stored
threshold is the dev EER threshold: a file with score ≥ threshold is called bona fide.
"""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from spoofcm.data.dataset import StreamDataset, collate
from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import atomic_write_text
from spoofcm.infer_long import mean_logits, stream_parts


def autocast(device: torch.device, amp: bool):
    """bf16 autocast where requested, a no-op otherwise."""
    if not amp:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def logits_to_scores(logits: torch.Tensor) -> torch.Tensor:
    logits = logits.float()
    return logits[:, 1] - logits[:, 0]


def compute_eer(bona: np.ndarray, spoof: np.ndarray) -> tuple[float, float]:
    """EER and its threshold, as the metrics library computes them (DESIGN §7)."""
    try:
        from spoofcm.metrics import compute_eer as metrics_eer
    except ImportError:
        from spoofcm.metrics.det import compute_eer as metrics_eer
    if len(bona) == 0 or len(spoof) == 0:
        raise SpoofcmError(f"dev set needs both classes for an EER "
                           f"({len(bona)} bona fide, {len(spoof)} spoof)")
    eer, thr = metrics_eer(np.asarray(bona, dtype=np.float64), np.asarray(spoof, dtype=np.float64))
    return float(eer), float(thr)


@torch.no_grad()
def score_indices(model: Any, ds: StreamDataset, indices: Sequence[int], device: torch.device,
                  amp: bool = False, window_units: int | None = None, num_workers: int = 0,
                  progress: bool = False, desc: str = "score", max_units: int | None = None
                  ) -> tuple[list[str], list[float], list[int], list[float]]:
    """Score ``ds[i]`` for each index (full utterances, or the mean over fixed windows; above
    ``max_units``, the mean over overlapping training crops, in bounded memory: infer_long).

    Returns utterance ids, scores, labels and per-utterance cross-entropy losses (of the
    mean logits).
    """
    if isinstance(model, torch.nn.Module):
        model.eval()
    sub = torch.utils.data.Subset(ds, list(indices))
    loader = torch.utils.data.DataLoader(sub, batch_size=1, shuffle=False,
                                         num_workers=num_workers, collate_fn=collate)
    utts, scores, labels, losses = [], [], [], []
    for streams, label, names in tqdm(loader, desc=desc, disable=not progress, mininterval=10,
                                      leave=False):
        parts = stream_parts({k: v[0].numpy() for k, v in streams.items()}, window_units,
                             max_units, ds.units)
        logits = mean_logits(model, parts, device, lambda: autocast(device, amp), names[0])
        losses.append(float(F.cross_entropy(logits, label.to(device))))
        scores.append(float(logits_to_scores(logits)[0]))
        labels.append(int(label[0]))
        utts.append(names[0])
    return utts, scores, labels, losses


def eer_of(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    return compute_eer(s[y == 1], s[y == 0])


def write_threshold(exp: str | os.PathLike, threshold: float, eer: float, epoch: Any,
                    checkpoint: str = "best.pt") -> None:
    """``exp/<tag>/threshold.json``: the dev EER threshold of the model in ``checkpoint``."""
    info = {"threshold": threshold, "source": "dev_eer", "dev_eer": eer,
            "checkpoint": checkpoint, "epoch": epoch,
            "rule": "bonafide if score >= threshold; score = logit[1] - logit[0]"}
    atomic_write_text(Path(exp) / "threshold.json", json.dumps(info, indent=2) + "\n")


def write_scores(path: str | os.PathLike, utts: Sequence[str], scores: Sequence[float]) -> None:
    """A DESIGN §5 score file (``utt score``), in the given order, atomically."""
    atomic_write_text(path, "".join(f"{u} {s:.6f}\n" for u, s in zip(utts, scores)))
