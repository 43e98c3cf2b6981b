"""A small automatic speaker verifier for the ASV keys and scores of the LA eval set.

Embedding: the mean of 20 MFCCs over the active frames (the long-term spectral envelope; adding
the standard deviations or F0 statistics made speaker identification worse on this corpus);
speaker model: the mean of its enrolment embeddings; score: cosine similarity after
standardising with the statistics of all enrolment embeddings. Simple, but a real verifier: targets score high, non-targets low, and
spoofs somewhere in between -- what the t-DCF's C0/C1/C2 need.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import soundfile as sf
from scipy.fft import dct

from .dsp import SR

N_FFT, WIN, HOP, N_MELS, N_MFCC = 512, 400, 160, 32, 20


@lru_cache(maxsize=1)
def _mel_fb() -> np.ndarray:
    """Triangular mel filterbank, 200-3600 Hz (HTK mel scale).

    The telephone band only: the eval codecs (8 kHz G.711, GSM, PSTN) remove everything
    above, and a verifier that used it would mostly recognise the channel.
    """
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = hz(np.linspace(mel(200.0), mel(3600.0), N_MELS + 2))
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SR)
    fb = np.zeros((N_MELS, len(freqs)))
    for i in range(N_MELS):
        lo, c, hi = edges[i: i + 3]
        fb[i] = np.clip(np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)), 0, None)
    return fb


def mfcc(x: np.ndarray) -> np.ndarray:
    """(frames x 20) MFCCs (c1..c20) of the active frames of `x`."""
    if len(x) < WIN:
        x = np.pad(x, (0, WIN - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), WIN)[::HOP]
    power = np.abs(np.fft.rfft(frames * np.hamming(WIN), N_FFT, axis=1)) ** 2
    logmel = np.log(power @ _mel_fb().T + 1e-10)
    cep = dct(logmel, type=2, norm="ortho", axis=1)[:, 1: N_MFCC + 1]
    energy = 10.0 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    active = energy > energy.max() - 30.0
    return cep[active] if active.sum() >= 5 else cep


def embed(x: np.ndarray) -> np.ndarray:
    """20-dim utterance embedding: the MFCC means."""
    return mfcc(x).mean(axis=0)


def embed_file(path: str) -> np.ndarray:
    """Embedding of an audio file (read at its own rate; the corpus is 16 kHz)."""
    x, _ = sf.read(path, dtype="float32")
    return embed(x)


class Verifier:
    """Cosine scoring against per-speaker mean enrolment embeddings."""

    def __init__(self, enrol: dict[str, list[np.ndarray]]):
        allv = np.stack([e for es in enrol.values() for e in es])
        self.mu = allv.mean(axis=0)
        self.sd = allv.std(axis=0) + 1e-6
        self.models = {spk: self._unit(np.mean([self._norm(e) for e in es], axis=0))
                       for spk, es in enrol.items()}

    @staticmethod
    def _unit(v: np.ndarray) -> np.ndarray:
        return v / (np.linalg.norm(v) + 1e-12)

    def _norm(self, e: np.ndarray) -> np.ndarray:
        """Standardise with the enrolment statistics, then scale to unit length."""
        return self._unit((e - self.mu) / self.sd)

    def score(self, claimed: str, emb: np.ndarray) -> float:
        """Cosine similarity of a test embedding with the claimed speaker's model."""
        return float(np.dot(self.models[claimed], self._norm(emb)))


