"""The window rule of exported detectors: any waveform length, bounded memory.

An exported graph sees only fixed windows of ``W`` samples (the training crop length by
default), so it has no length-dependent control flow to get wrong in TorchScript or ONNX, and
memory is bounded by ``W × batch`` whatever the file's length. The rule, also written to the
sidecar for runtimes outside spoofcm:

* ``N < W``: the waveform is repeated from its start until it is ``W`` long (one window), as
  training repeat-pads utterances shorter than a crop;
* ``N ≥ W``: windows start at ``0, W, 2W, …`` while they fit; if the last one ends before
  ``N``, one more window ends exactly at ``N``;
* the score is the mean of the window scores (= the score of the mean logits, since the score
  ``logit[1] - logit[0]`` is linear in the logits).
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from spoofcm.errors import SpoofcmError

RULE = ("N < W: repeat the waveform from its start to W samples (one window); N >= W: windows "
        "starting at 0, W, 2W, ... while they fit, plus one ending exactly at N if the last one "
        "ends before N; score = mean of the window scores")


def window_starts(num_samples: int, window: int) -> list[int]:
    """Start samples of the windows covering ``num_samples`` (``[0]`` for short inputs)."""
    if window <= 0:
        raise SpoofcmError(f"window length must be positive, got {window}")
    if num_samples <= 0:
        raise SpoofcmError("empty waveform")
    from spoofcm.infer.long import window_starts as starts_every
    return starts_every(num_samples, window, window)


def window_batches(wave: np.ndarray, window: int, batch: int) -> Iterator[np.ndarray]:
    """``(k, window)`` float32 arrays of at most ``batch`` windows, in order."""
    wave = np.asarray(wave, dtype=np.float32)
    if wave.ndim != 1:
        raise SpoofcmError(f"expected a mono waveform, got shape {wave.shape}")
    if len(wave) and len(wave) < window:
        wave = np.resize(wave, window)  # np.resize repeats from the start
    starts = window_starts(len(wave), window)
    for i in range(0, len(starts), max(1, batch)):
        yield np.stack([wave[s:s + window] for s in starts[i:i + batch]])
