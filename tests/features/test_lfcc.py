"""LFCC numerics against direct numpy/scipy computations."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.fft import dct
from scipy.signal import lfilter

from spoofcm.errors import SpoofcmError
from spoofcm.features.lfcc import LFCC, lfcc

SR = 16000


def numpy_filterbank_energies(x: np.ndarray, n_filters: int = 20) -> np.ndarray:
    """Independent reference: frames, symmetric Hamming, |rfft_512|^2, triangles via np.interp."""
    n_frames = 1 + (len(x) - 320) // 160
    frames = np.stack([x[160 * t:160 * t + 320] for t in range(n_frames)]) * np.hamming(320)
    power = np.abs(np.fft.rfft(frames, 512)) ** 2
    freqs = np.fft.rfftfreq(512, 1 / SR)
    edges = np.linspace(0, SR / 2, n_filters + 2)
    fb = np.stack([np.interp(freqs, edges[i:i + 3], [0, 1, 0], left=0, right=0)
                   for i in range(n_filters)], axis=1)
    return power @ fb


def test_filterbank_energies_match_numpy():
    x = np.random.default_rng(0).standard_normal(SR).astype(np.float32) * 0.1
    ours = LFCC().filterbank_energies(torch.from_numpy(x)[None])[0].double().numpy()
    ref = numpy_filterbank_energies(x.astype(np.float64))
    assert ours.shape == ref.shape == (1 + (SR - 320) // 160, 20)
    np.testing.assert_allclose(ours, ref, rtol=2e-4, atol=1e-6)


def test_static_cepstrum_is_dct_of_log_energies():
    x = np.random.default_rng(1).standard_normal(8000).astype(np.float32)
    static = lfcc(x, SR, with_deltas=False).double().numpy()
    ref = dct(np.log(numpy_filterbank_energies(x.astype(np.float64)) + np.finfo(np.float32).eps),
              type=2, norm="ortho", axis=1)[:, :20]
    np.testing.assert_allclose(static, ref, rtol=1e-3, atol=2e-3)


def test_white_noise_cepstrum_is_flat_but_coloured_noise_is_not():
    rng = np.random.default_rng(2)
    white = rng.standard_normal(4 * SR).astype(np.float32)
    ceps = lfcc(white, SR)[:, :20].numpy()
    assert ceps[:, 0].mean() > 10                      # c0 carries the (large) level
    assert np.abs(ceps[:, 1:].mean(axis=0)).max() < 0.1  # flat spectrum: no shape terms
    coloured = lfilter([1.0], [1.0, -0.95], white).astype(np.float32)  # strong low-pass tilt
    assert lfcc(coloured, SR)[:, 1].mean() > 1.0


def test_shape_deltas_and_batch_consistency():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5000)).astype(np.float32)
    batch = LFCC()(torch.from_numpy(x))
    assert batch.shape == (2, 1 + (5000 - 320) // 160, 60)
    torch.testing.assert_close(batch[1], lfcc(x[1], SR), rtol=1e-4, atol=1e-4)
    tone = np.tile(np.sin(2 * np.pi * 1000 * np.arange(160) / SR), 40).astype(np.float32)
    feats = lfcc(tone, SR)                             # periodic with the hop: static frames
    assert feats[:, 20:].abs().max() < 1e-3
    assert lfcc(np.zeros(100, np.float32), SR).shape == (1, 60)  # short wave padded to one frame


def test_bad_parameters_raise():
    with pytest.raises(SpoofcmError):
        LFCC(n_fft=256)
    with pytest.raises(SpoofcmError):
        LFCC(n_coeffs=30)
    with pytest.raises(SpoofcmError):
        lfcc(np.zeros((2, 400), np.float32), SR)
