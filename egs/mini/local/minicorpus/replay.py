"""Simulated physical replay: loudspeaker band-pass and resonance, driver non-linearity,
a synthetic room impulse response and background noise, then the recording microphone."""
from __future__ import annotations

import numpy as np
from scipy import signal

from .dsp import SR, bandpass


def _peaking(f0: float, gain_db: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """RBJ peaking-EQ biquad: a loudspeaker cabinet resonance."""
    a_lin = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * f0 / SR
    alpha = np.sin(w0) / (2 * q)
    b = np.array([1 + alpha * a_lin, -2 * np.cos(w0), 1 - alpha * a_lin])
    a = np.array([1 + alpha / a_lin, -2 * np.cos(w0), 1 - alpha / a_lin])
    return b / a[0], a / a[0]


def room_ir(rt60: float, rng: np.random.Generator) -> np.ndarray:
    """Exponentially decaying noise tail after a direct-path impulse (RT60 in seconds)."""
    n = int(rt60 * SR)
    t = np.arange(n) / SR
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60) * 0.3
    delay = int(rng.integers(20, 120))  # first reflections a few ms after the direct path
    h = np.zeros(n + delay)
    h[0] = 1.0
    h[delay:] += tail
    return h / np.sqrt(np.sum(h ** 2))


def replay(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Play `x` through a small loudspeaker into a room and record it again."""
    y = bandpass(x.astype(np.float64), float(rng.uniform(150, 350)), float(rng.uniform(4500, 7000)))
    b, a = _peaking(float(rng.uniform(700, 2500)), float(rng.uniform(4, 9)), 2.0)
    y = signal.lfilter(b, a, y)
    drive = float(rng.uniform(1.5, 4.0))
    y = np.tanh(drive * y / (np.max(np.abs(y)) + 1e-9)) / np.tanh(drive)
    y = signal.fftconvolve(y, room_ir(float(rng.uniform(0.15, 0.6)), rng))[: len(x)]
    noise = signal.lfilter([1.0], [1.0, -0.95], rng.standard_normal(len(y)))  # brownish room noise
    snr = float(rng.uniform(15, 30))
    noise *= np.sqrt(np.mean(y ** 2) / (np.mean(noise ** 2) + 1e-12)) * 10 ** (-snr / 20)
    y = bandpass(y + noise, 80.0, 7800.0)
    return y.astype(np.float32)
