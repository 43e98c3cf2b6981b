"""Signal shaping shared by both classes: band path, trimming, fixed-length crop, loudness.

Every bona fide and spoofed utterance goes through exactly these steps with class-independent
random draws, so duration, level, leading/trailing silence and bandwidth carry no label.
"""
from __future__ import annotations

from math import gcd

import numpy as np
from scipy import signal

SR = 16000
NOISE_FLOOR_DB = -66.0
GAP_S = 0.2


def resample(x: np.ndarray, sr_in: int, sr_out: int = SR) -> np.ndarray:
    """Polyphase resampling (deterministic, no external tool)."""
    if sr_in == sr_out:
        return x.astype(np.float32, copy=False)
    g = gcd(sr_in, sr_out)
    return signal.resample_poly(x, sr_out // g, sr_in // g).astype(np.float32)


def bandpass(x: np.ndarray, lo: float, hi: float, sr: int = SR, order: int = 6) -> np.ndarray:
    """Zero-phase Butterworth band-pass."""
    sos = signal.butter(order, [lo, hi], btype="bandpass", fs=sr, output="sos")
    return signal.sosfiltfilt(sos, x).astype(np.float32)


def band_path(x: np.ndarray, band: str) -> np.ndarray:
    """The speaker's channel bandwidth, applied to bona fide and spoofs of that speaker alike.

    "wide": 60-7000 Hz (the G.722 recordings); "narrow": through 8 kHz and 300-3400 Hz.
    """
    if band == "wide":
        return bandpass(x, 60.0, 7000.0)
    if band == "narrow":
        y = resample(resample(x, SR, 8000), 8000, SR)
        return bandpass(y, 300.0, 3400.0)
    raise ValueError(f"unknown band path {band!r}")


def frame_db(x: np.ndarray, win: int = 320) -> np.ndarray:
    """Energy in dB of non-overlapping 20 ms frames."""
    n = len(x) // win
    if n == 0:
        return np.array([-120.0])
    fr = x[: n * win].reshape(n, win)
    return 10.0 * np.log10(np.mean(fr.astype(np.float64) ** 2, axis=1) + 1e-12)


def trim_silence(x: np.ndarray, rel_db: float = 35.0, win: int = 320) -> np.ndarray:
    """Cut leading/trailing frames more than `rel_db` below the loudest frame."""
    db = frame_db(x, win)
    active = np.flatnonzero(db > db.max() - rel_db)
    if active.size == 0:
        return x
    return x[active[0] * win: (active[-1] + 1) * win]


def active_rms(x: np.ndarray, rel_db: float = 30.0) -> float:
    """RMS over frames within `rel_db` of the loudest (a crude active-speech level)."""
    db = frame_db(x)
    act = db[db > db.max() - rel_db]
    return float(np.sqrt(np.mean(10.0 ** (act / 10.0)))) if act.size else 1e-6


def concat_with_gaps(pieces: list[np.ndarray], gap_s: float = GAP_S) -> np.ndarray:
    """Trimmed pieces joined by the same short gap (both classes use this)."""
    gap = np.zeros(int(gap_s * SR), np.float32)
    out: list[np.ndarray] = []
    for i, p in enumerate(pieces):
        if i:
            out.append(gap)
        out.append(trim_silence(p).astype(np.float32))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def crop(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """A window of exactly `n` samples at a random offset (zero-padded if `x` is short)."""
    if len(x) <= n:
        return np.pad(x, (0, n - len(x)))
    off = int(rng.integers(0, len(x) - n + 1))
    return x[off: off + n]


def finish(x: np.ndarray, band: str, n_samples: int, pad_s: float, level_db: float,
           rng: np.random.Generator) -> np.ndarray:
    """Band path -> trim -> crop to `n_samples` -> fades -> pad -> noise floor -> level.

    `n_samples`, `pad_s` and `level_db` are drawn by the caller independently of the class.
    """
    y = trim_silence(band_path(x, band))
    y = crop(y, n_samples, rng).astype(np.float64)
    fade = int(0.02 * SR)
    ramp = np.linspace(0.0, 1.0, fade)
    y[:fade] *= ramp
    y[-fade:] *= ramp[::-1]
    pad = np.zeros(int(pad_s * SR))
    y = np.concatenate([pad, y, pad])
    y = y / max(active_rms(y), 1e-6) * 10.0 ** (level_db / 20.0)
    y = y + rng.standard_normal(len(y)) * 10.0 ** (NOISE_FLOOR_DB / 20.0)
    peak = np.max(np.abs(y))
    if peak > 0.95:
        y *= 0.95 / peak
    return y.astype(np.float32)
