"""Scoring audio of any length in bounded memory (spoofcm-score, stage 4).

Self-attention over a whole utterance costs memory quadratic in its length (a 10-minute file
asked the fusion model for 230 GB), and a batch of all windows of a file grows linearly. Here:

* an utterance longer than ``max_seconds`` (``--max-seconds``, default 60) is scored in windows
  of the model's training crop (``train.crop_seconds``) with 50 % overlap; the score is the
  mean of the windows' logits, as ``--window-seconds`` does with fixed windows;
* windows go through the model ``WINDOW_BATCH`` at a time and their logits are summed, so
  peak memory depends on the window length, never on the file's;
* for on-the-fly features (spoofcm-score) the *waveform* is cut first, so the SSL front end
  never sees more than one window either;
* audio shorter than one SSL frame (400 samples, 25 ms) is refused for that file with a
  one-line error (stage 2 refuses it the same way); a model that fails on a file (e.g. too
  short for its convolutions) is reported for that file, and the other files are scored.
"""
from __future__ import annotations

import contextlib

from typing import Any, Callable, Iterable, Iterator

import numpy as np
import torch

from spoofcm.data.dataset import SAMPLE_RATE, UNIT_SAMPLES, align, cut, num_units, windows
from spoofcm.errors import SpoofcmError

MIN_SAMPLES = 400          # one wav2vec 2.0 frame (its receptive field) at 16 kHz
DEFAULT_MAX_SECONDS = 60.0
OVERLAP = 0.5
WINDOW_BATCH = 8


def window_starts(total: int, length: int, hop: int) -> list[int]:
    """Starts of windows of ``length`` every ``hop`` covering ``[0, total)`` (the last one
    ends at ``total``)."""
    if total <= length:
        return [0]
    starts = list(range(0, total - length + 1, hop))
    if starts[-1] + length < total:
        starts.append(total - length)
    return starts


def seconds_to_units(seconds: float) -> int:
    return max(1, int(round(seconds * SAMPLE_RATE / UNIT_SAMPLES)))


def check_length(wave: np.ndarray, name: str) -> None:
    """One-line error for audio shorter than one SSL frame."""
    if len(wave) < MIN_SAMPLES:
        raise SpoofcmError(f"{name}: {len(wave)} samples, shorter than one SSL frame "
                           f"({MIN_SAMPLES} samples at 16 kHz); not scored")


def stream_parts(streams: dict[str, np.ndarray], window_units: int | None, max_units: int | None,
                 crop: int) -> Iterator[dict[str, np.ndarray]]:
    """The pieces of one utterance's cached streams to score: fixed ``window_units`` windows
    when given, else the whole (aligned) utterance, or overlapping crops when it is longer
    than ``max_units``."""
    if window_units:
        yield from windows(streams, window_units)
        return
    full = align(streams)
    total = num_units(full)
    if max_units is None or total <= max_units:
        yield full
        return
    for start in window_starts(total, crop, max(1, int(crop * (1 - OVERLAP)))):
        yield cut(full, start, crop)


def wave_parts(wave: np.ndarray, max_units: int | None, crop: int) -> Iterator[np.ndarray]:
    """Overlapping crops of a long waveform (unit-aligned), or the waveform itself."""
    total = len(wave) // UNIT_SAMPLES
    if max_units is None or total <= max_units:
        yield wave
        return
    for start in window_starts(total, crop, max(1, int(crop * (1 - OVERLAP)))):
        yield wave[start * UNIT_SAMPLES:(start + crop) * UNIT_SAMPLES]


def mean_logits(model: Any, parts: Iterable[dict[str, np.ndarray]], device: torch.device,
                context: Callable[[], Any] | None = None, name: str = "") -> torch.Tensor:
    """Mean logits (1, C) over ``parts``, run ``WINDOW_BATCH`` equal-length parts at a time.

    A failure inside the model (a RuntimeError, e.g. input too short for a convolution, or out
    of memory) becomes a one-line SpoofcmError naming ``name``.
    """
    total, count, group = None, 0, []

    def flush() -> None:
        nonlocal total, count
        batch = {k: torch.stack([torch.from_numpy(np.ascontiguousarray(p[k])) for p in group])
                 .to(device) for k in group[0]}
        try:
            with torch.inference_mode(), (context() if context else contextlib.nullcontext()):
                logits = model(batch).float()
        except RuntimeError as exc:
            raise SpoofcmError(f"{name}: the model cannot score it "
                               f"({str(exc).strip().splitlines()[0][:200]})") from None
        s = logits.sum(dim=0, keepdim=True)
        total = s if total is None else total + s
        count += logits.shape[0]
        group.clear()

    for part in parts:
        if group and any(len(part[k]) != len(group[0][k]) for k in part):
            flush()
        group.append(part)
        if len(group) == WINDOW_BATCH:
            flush()
    if group:
        flush()
    if total is None:
        raise SpoofcmError(f"{name}: nothing to score")
    return total / count

