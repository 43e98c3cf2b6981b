"""Scoring a set with a model (dev selection during training, stage 4 scoring) and the EER
threshold stored with a trained model.

Score = logit[BONAFIDE] − logit[SPOOF] (log-odds, higher = more bona fide; spoofcm.labels).
The stored threshold is the dev EER threshold: a file with score ≥ threshold is called bona
fide. Features come from the stage 1–2 cache (:func:`score_indices`) or are computed from the
audio inside the loop (:func:`score_audio`, batched by length, float16-rounded as the cache).
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

from spoofcm.data.dataset import StreamDataset, collate, crop_units
from spoofcm.errors import SpoofcmError
from spoofcm.labels import BONAFIDE, SPOOF
from spoofcm.fsutil import atomic_write_text
from spoofcm.infer.long import check_length, mean_logits, stream_parts, wave_parts


def autocast(device: torch.device, amp: bool):
    """bf16 autocast where requested, a no-op otherwise."""
    if not amp:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def logits_to_scores(logits: torch.Tensor) -> torch.Tensor:
    logits = logits.float()
    return logits[:, BONAFIDE] - logits[:, SPOOF]


def compute_eer(bona: np.ndarray, spoof: np.ndarray) -> tuple[float, float]:
    """EER and its threshold, as the metrics library computes them (docs/formats.md)."""
    from spoofcm.metrics.det import compute_eer as metrics_eer
    if len(bona) == 0 or len(spoof) == 0:
        raise SpoofcmError(f"dev set needs both classes for an EER "
                           f"({len(bona)} bona fide, {len(spoof)} spoof)")
    eer, thr = metrics_eer(np.asarray(bona, dtype=np.float64), np.asarray(spoof, dtype=np.float64))
    return float(eer), float(thr)


def forward_score(model: Any, streams: dict[str, np.ndarray], device: torch.device,
                  amp: bool = False, window_units: int | None = None,
                  max_units: int | None = None, crop: int = 200, name: str = "") -> torch.Tensor:
    """Mean logits (1, 2) of one utterance's streams: the full aligned utterance, the mean over
    fixed windows of ``window_units``, or, above ``max_units``, over overlapping crops of
    ``crop`` units run a few at a time (bounded memory for any length: :mod:`.long`)."""
    return mean_logits(model, stream_parts(streams, window_units, max_units, crop), device,
                       lambda: autocast(device, amp), name)


def score_one(model: Any, ssl: Any, wave: np.ndarray, name: str, device: torch.device,
              window_units: int | None = None, max_units: int | None = None,
              crop: int = 200, amp: bool = False) -> float:
    """Score one waveform with its features computed now; a long one is cut into overlapping
    crops before any feature is computed, so the SSL encoder never sees more than a crop."""
    from spoofcm.features.streams import compute_streams
    check_length(wave, name)
    if getattr(model, "is_neural", True) is False:
        return float(model.score_wave(wave))
    inputs = tuple(model.inputs)

    def parts():
        for piece in wave_parts(wave, None if window_units else max_units, window_units or crop):
            yield from stream_parts(compute_streams(inputs, [name], [piece], ssl)[0],
                                    window_units, None, crop)
    return float(logits_to_scores(mean_logits(model, parts(), device,
                                              lambda: autocast(device, amp), name))[0])


def audio_batches(data: Any, ssl: Any = None, batch_seconds: float = 60.0,
                  job: int = 1, nj: int = 1) -> list[list[str]]:
    """Job ``job``'s share of batches planned over the WHOLE set (by length): so the SSL
    features of an utterance, float16-rounded after a padded batch, are the same for any
    number of jobs, as the stage-2 cache is (:func:`spoofcm.data.dump.dump_ssl_job`)."""
    from spoofcm.data.dump import utt_lengths
    from spoofcm.data.split import job_slice
    from spoofcm.features.streams import plan_batches
    exact = bool(ssl is not None and ssl.exact)
    plan = plan_batches(utt_lengths(data.utts, data), int(batch_seconds * 16000), exact)
    return job_slice([[data.utts[i] for i in batch] for batch in plan], job, nj)


@torch.no_grad()
def score_audio(model: Any, cfg: dict[str, Any], data: Any, plan: Sequence[Sequence[str]],
                device: torch.device, ssl: Any = None, amp: bool = False,
                window_units: int | None = None, max_units: int | None = None,
                progress: bool = False, desc: str = "score") -> dict[str, float]:
    """Scores of the utterances of ``plan`` (batches of ids, :func:`audio_batches`) with
    features computed from the audio (no stage 1–2 cache): each batch's waves are read and
    their SSL features extracted together on ``device``, then each utterance goes through the
    model as in :func:`score_indices`; utterances longer than ``max_units`` go through
    :func:`score_one` (crops first, then features)."""
    from spoofcm.audio.io import read_audio
    from spoofcm.features.streams import compute_streams

    model.eval()
    inputs = tuple(model.inputs)
    crop = crop_units(float(cfg["train"]["crop_seconds"]))
    scores: dict[str, float] = {}
    total = sum(len(b) for b in plan)
    with tqdm(total=total, desc=desc, disable=not progress, mininterval=10, leave=False) as bar:
        for batch in plan:
            names = list(batch)
            waves = [read_audio(data.wav[u]) for u in names]
            short = [k for k, w in enumerate(waves) if max_units is None or window_units or
                     len(w) // 320 <= max_units]
            for k, w in enumerate(waves):
                check_length(w, data.wav[names[k]])
            streams = compute_streams(inputs, [data.wav[names[k]] for k in short],
                                      [waves[k] for k in short], ssl)
            for k, st in zip(short, streams):
                logits = forward_score(model, st, device, amp, window_units, None, crop,
                                       data.wav[names[k]])
                scores[names[k]] = float(logits_to_scores(logits)[0])
            for k in sorted(set(range(len(names))) - set(short)):
                scores[names[k]] = score_one(model, ssl, waves[k], data.wav[names[k]], device,
                                             window_units, max_units, crop, amp)
            bar.update(len(batch))
    return scores


def score_waves(model: Any, data: Any, utts: Sequence[str], progress: bool = True) -> list[float]:
    """Scores of a non-neural system (GMMs), which computes its own features from the wave."""
    from spoofcm.audio.io import read_audio
    return [float(model.score_wave(read_audio(data.wav[u])))
            for u in tqdm(utts, desc="score", disable=not progress, mininterval=10)]


@torch.no_grad()
def score_indices(model: Any, ds: StreamDataset, indices: Sequence[int], device: torch.device,
                  amp: bool = False, window_units: int | None = None, num_workers: int = 0,
                  progress: bool = False, desc: str = "score", max_units: int | None = None
                  ) -> tuple[list[str], list[float], list[int], list[float]]:
    """Score ``ds[i]`` for each index (full utterances, or the mean over fixed windows).

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
        logits = forward_score(model, {k: v[0].numpy() for k, v in streams.items()}, device,
                               amp, window_units, max_units, ds.units, names[0])
        losses.append(float(F.cross_entropy(logits, label.to(device))))
        scores.append(float(logits_to_scores(logits)[0]))
        labels.append(int(label[0]))
        utts.append(names[0])
    return utts, scores, labels, losses


def eer_of(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    return compute_eer(s[y == BONAFIDE], s[y == SPOOF])


def write_threshold(exp: str | os.PathLike, threshold: float, eer: float, epoch: Any,
                    checkpoint: str = "best.pt") -> None:
    """``exp/<tag>/threshold.json``: the dev EER threshold of the model in ``checkpoint``."""
    info = {"threshold": threshold, "source": "dev_eer", "dev_eer": eer,
            "checkpoint": checkpoint, "epoch": epoch,
            "rule": "bonafide if score >= threshold; score = logit[1] - logit[0]"}
    atomic_write_text(Path(exp) / "threshold.json", json.dumps(info, indent=2) + "\n")


def write_scores(path: str | os.PathLike, utts: Sequence[str], scores: Sequence[float]) -> None:
    """A score file (docs/formats.md) (``utt score``), in the given order, atomically."""
    atomic_write_text(path, "".join(f"{u} {s:.6f}\n" for u, s in zip(utts, scores)))
