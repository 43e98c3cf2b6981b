"""Log-mel numerics against an independent numpy reference (explicit framing, np.fft.rfft,
filters from the natural-log form of the HTK mel scale, built bin by bin)."""
from __future__ import annotations

import functools
import importlib
import math

import numpy as np
import pytest
import torch

from spoofcm.features.logmel import logmel, mel_filterbank, num_frames

module = importlib.import_module("spoofcm.features.logmel")  # the package exports the function

# The documented parameters, written out here so that a change in the module fails the tests.
SR, WIN, HOP, NFFT, NMELS, F_MIN, F_MAX, FLOOR = 16000, 400, 160, 512, 128, 25.0, 8000.0, 1e-6


def test_documented_constants():
    assert (module.SAMPLE_RATE, module.N_MELS, module.F_MIN, module.F_MAX, module.LOG_FLOOR) == \
        (SR, NMELS, F_MIN, F_MAX, FLOOR)
    assert module.frame_sizes(SR) == (WIN, HOP, NFFT)


@functools.lru_cache(maxsize=1)
def ref_filters() -> np.ndarray:
    to_mel = lambda f: 1127.0 * math.log(1.0 + f / 700.0)  # == 2595 log10(1 + f/700)
    to_hz = lambda m: 700.0 * (math.exp(m / 1127.0) - 1.0)
    lo, hi = to_mel(F_MIN), to_mel(F_MAX)
    edges = [to_hz(lo + (hi - lo) * i / (NMELS + 1)) for i in range(NMELS + 2)]
    out = np.zeros((NFFT // 2 + 1, NMELS))
    for m in range(NMELS):
        left, centre, right = edges[m], edges[m + 1], edges[m + 2]
        for k in range(NFFT // 2 + 1):
            f = k * SR / NFFT
            if left < f <= centre:
                out[k, m] = (f - left) / (centre - left)
            elif centre < f < right:
                out[k, m] = (right - f) / (right - centre)
    return out


def ref_logmel(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if len(x) < WIN:
        x = np.concatenate([x, np.zeros(WIN - len(x))])
    window = np.array([0.5 - 0.5 * math.cos(2 * math.pi * n / WIN) for n in range(WIN)])
    frames = [x[t * HOP:t * HOP + WIN] * window for t in range((len(x) - WIN) // HOP + 1)]
    power = np.abs(np.fft.rfft(np.array(frames), n=NFFT, axis=1)) ** 2
    return np.log(power @ ref_filters() + FLOOR)


def _speechlike(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    x = 0.05 * rng.standard_normal(n)
    for f0 in (130, 260, 390, 1200, 3100, 6500):
        x += 0.1 * np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6))
    return (x * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)


def test_filters_match_reference_and_none_is_empty():
    fb = mel_filterbank(SR, NFFT)
    np.testing.assert_allclose(fb, ref_filters(), atol=1e-9)
    assert fb.shape == (257, 128) and (fb.max(axis=0) > 0).all()


@pytest.mark.parametrize("n", [400, 401, 559, 560, 16000, 23457])
def test_matches_reference(n):
    x = _speechlike(n, seed=n)
    got = logmel(x)
    assert got.dtype == torch.float32 and got.shape == (1 + (n - 400) // 160, 128)
    np.testing.assert_allclose(got.numpy(), ref_logmel(x), atol=1e-4, rtol=0)


def test_frame_count_and_short_input_padding():
    assert [num_frames(n) for n in (1, 399, 400, 559, 560, 16000)] == [1, 1, 1, 1, 2, 98]
    short = _speechlike(250)
    np.testing.assert_allclose(logmel(short).numpy(), ref_logmel(short), atol=1e-4)
    assert logmel(short).shape == (1, 128)


def test_frame_t_covers_exactly_its_samples():
    x = _speechlike(1900)
    base = logmel(x).numpy()  # 10 frames; the last covers [1440, 1840)
    assert base.shape[0] == 10
    y = x.copy(); y[1840:] = 0.9  # samples after the last frame do not count
    np.testing.assert_array_equal(logmel(y).numpy(), base)
    y = x.copy(); y[680] += 0.5  # sample 680 lies in frames 2 [320, 720), 3 and 4 [640, 1040)
    changed = np.abs(logmel(y).numpy() - base).max(axis=1) > 0
    assert np.flatnonzero(changed).tolist() == [2, 3, 4]


@pytest.mark.parametrize("freq", [300.0, 1000.0, 4000.0, 7000.0])
def test_sine_lands_in_nearest_mel_filter(freq):
    x = 0.5 * np.sin(2 * np.pi * freq * np.arange(8000) / SR)
    peak = logmel(x).mean(0).argmax().item()
    mel = lambda f: 1127.0 * math.log(1.0 + f / 700.0)
    centres = np.linspace(mel(F_MIN), mel(F_MAX), NMELS + 2)[1:-1]
    assert abs(peak - int(np.argmin(np.abs(centres - mel(freq))))) <= 1


def test_batch_equals_single_and_inputs_accepted():
    xs = np.stack([_speechlike(4000, s) for s in range(3)])
    batch = logmel(torch.from_numpy(xs))
    assert batch.shape == (3, 23, 128)
    for i in range(3):
        torch.testing.assert_close(batch[i], logmel(xs[i]), atol=1e-5, rtol=0)
    torch.testing.assert_close(logmel(xs[0].astype(np.float64)), logmel(xs[0]))
    silence = logmel(np.zeros(1000, np.float32))
    torch.testing.assert_close(silence, torch.full_like(silence, math.log(1e-6)))
