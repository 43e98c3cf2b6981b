"""CQT/CQCC numerics on synthetic tones."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.fft import dct
from scipy.interpolate import CubicSpline

from spoofcm.errors import SpoofcmError
from spoofcm.features.cqcc import cq_frequencies, cqcc, cqt

SR = 16000
T = np.arange(2 * SR) / SR


def test_baseline_frequency_grid():
    freqs = cq_frequencies(SR)
    assert freqs.size == 9 * 96
    assert freqs[0] == pytest.approx(15.625)
    assert freqs[-1] < SR / 2 <= freqs[-1] * 2 ** (1 / 96)


@pytest.mark.parametrize("f0", [1000.0, 440.0, 3170.0])
def test_tone_peaks_at_its_bin_with_its_amplitude(f0):
    x = 0.5 * np.sin(2 * np.pi * f0 * T)
    mag = np.abs(cqt(x, SR))[:, 20:-20].mean(axis=1)
    peak = cq_frequencies(SR)[mag.argmax()]
    assert abs(np.log2(peak / f0)) <= 1 / 96          # within one bin
    if f0 == 1000.0:                                   # exactly on bin 576 (15.625 * 2^6)
        assert mag.max() == pytest.approx(0.5, rel=0.02)
    else:                                              # Hann scalloping between bins
        assert 0.25 <= mag.max() <= 0.51


def test_two_tones_keep_their_level_ratio():
    x = 0.4 * np.sin(2 * np.pi * 500 * T) + 0.1 * np.sin(2 * np.pi * 2000 * T)
    mag = np.abs(cqt(x, SR))[:, 20:-20].mean(axis=1)
    freqs = cq_frequencies(SR)
    a = mag[np.argmin(np.abs(freqs - 500))]
    b = mag[np.argmin(np.abs(freqs - 2000))]
    assert a / b == pytest.approx(4.0, rel=0.1)


def test_cqcc_shape_and_stationary_deltas():
    x = 0.5 * np.sin(2 * np.pi * 1000 * T)
    feats = cqcc(x, SR)
    assert feats.shape == (int(np.ceil(x.size / 128)), 60) and feats.dtype == np.float32
    assert np.isfinite(feats).all()
    middle = feats[50:-50]
    assert np.abs(middle[:, 20:]).max() < 0.05 * np.abs(middle[:, :20]).max()
    noise = cqcc(np.random.default_rng(0).standard_normal(T.size) * 0.5, SR)
    assert np.abs(noise[50:-50, 1:20].mean(0) - middle[:, 1:20].mean(0)).max() > 1.0


def test_cqcc_equals_spline_resampling_then_dct():
    x = np.random.default_rng(1).standard_normal(SR // 2)
    log_power = np.log(np.abs(cqt(x, SR)) ** 2 + np.finfo(np.float64).eps)
    freqs = cq_frequencies(SR)
    uniform = np.arange(freqs[0], freqs[-1], 15.625 / 16)
    assert uniform.size > 8000
    ref = dct(CubicSpline(freqs, log_power, axis=0)(uniform), type=2, norm="ortho", axis=0)[:20].T
    np.testing.assert_allclose(cqcc(x, SR, with_deltas=False), ref, rtol=1e-4, atol=1e-3)


def test_bad_input_raises():
    with pytest.raises(SpoofcmError):
        cqt(np.zeros(0), SR)
    with pytest.raises(SpoofcmError):
        cqt(np.zeros(1000), SR, hop_length=1000)
