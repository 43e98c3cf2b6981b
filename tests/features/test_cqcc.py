"""CQT/CQCC: the official 2021 configuration's facts, numerics on synthetic tones, and the
uniform resampling against an independent computation."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.interpolate import splev, splrep

from spoofcm.config import load_yaml
from spoofcm.errors import SpoofcmError
from spoofcm.features.cqcc import CQCC_GMM_2021, bandwidths, cq_frequencies, cqcc, cqt

SR = 16000
T = np.arange(2 * SR) / SR
REPO = Path(__file__).resolve().parents[2]


def test_official_configuration_is_the_default_and_the_yaml():
    """cqcc(x, fs, B=12, fmax=4000, fmin=62.5, d=16, cf=19, 'ZsdD'); GMM on every 10th spoof."""
    model = load_yaml(REPO / "conf/model/cqcc_gmm.yaml")["model"]
    assert model["features"] == CQCC_GMM_2021 and model["config_name"] == "cqcc_gmm_2021"
    assert (model["n_components"], model["max_iter"], model["spoof_every"],
            model["bonafide_every"], model["max_frames"]) == (512, 10, 10, 1, 0)
    assert CQCC_GMM_2021["bins_per_octave"] == 12 and CQCC_GMM_2021["d"] == 16
    assert (CQCC_GMM_2021["f_min"], CQCC_GMM_2021["f_max"]) == (62.5, 4000.0)
    assert (CQCC_GMM_2021["n_coeffs"], CQCC_GMM_2021["delta_width"]) == (20, 3)


def test_bins_per_octave_and_band():
    freqs = cq_frequencies(SR)                          # the defaults: the 2021 configuration
    assert freqs.size == 6 * 12 + 1                     # 62.5 Hz .. 4 kHz, both ends on the grid
    assert freqs[0] == pytest.approx(62.5) and freqs[-1] == pytest.approx(4000.0)
    np.testing.assert_allclose(freqs[12::12] / freqs[:-12:12], 2.0)          # octaves
    np.testing.assert_allclose(freqs[1:] / freqs[:-1], 2.0 ** (1 / 12))      # 12 per octave
    q = 2 ** (1 / 12) - 2 ** (-1 / 12)                  # the toolbox's bandwidth, baseline gamma
    np.testing.assert_allclose(bandwidths(freqs, 12), q * freqs + 228.7 * q)
    np.testing.assert_allclose(bandwidths(freqs, 12, gamma=0), q * freqs)


def test_coefficients_and_delta_window():
    x = np.random.default_rng(0).standard_normal(SR // 2)
    feats = cqcc(x, SR)
    assert feats.shape[1] == 60 and feats.dtype == np.float32     # c0..c19, deltas, double deltas
    static = cqcc(x, SR, with_deltas=False).astype(np.float64)
    np.testing.assert_allclose(feats[:, :20], static, rtol=1e-5, atol=1e-5)

    def htk(a: np.ndarray, w: int = 3) -> np.ndarray:         # HTK regression, edges replicated
        p = np.concatenate([np.repeat(a[:1], w, 0), a, np.repeat(a[-1:], w, 0)])
        n = len(a)
        return sum(k * (p[w + k:w + k + n] - p[w - k:w - k + n]) for k in range(1, w + 1)) / 28.0

    np.testing.assert_allclose(feats[:, 20:40], htk(static), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(feats[:, 40:], htk(htk(static)), rtol=1e-4, atol=1e-4)


def test_uniform_resampling_against_an_independent_computation():
    """MATLAB: kl = B log2(1 + 1/d); resample(logP, f, 1 / (fmin (2^(kl/B) - 1)), 1, 1, 'spline');
    dct; rows 1..cf+1. Here with FITPACK's interpolating cubic spline (not-a-knot) and an explicit
    DCT-II matrix."""
    x = np.random.default_rng(1).standard_normal(SR // 2)
    log_power = np.log(np.abs(cqt(x, SR)) ** 2 + np.finfo(np.float64).eps)
    freqs = 62.5 * 2.0 ** (np.arange(73) / 12)
    kl = 12 * np.log2(1 + 1 / 16)
    period = 62.5 * (2 ** (kl / 12) - 1)
    assert period == pytest.approx(62.5 / 16)
    grid = 62.5 + period * np.arange(int(round((4000 - 62.5) / period)) + 1)
    assert grid.size == 1009 and grid[-1] == pytest.approx(4000.0)
    uniform = np.stack([splev(grid, splrep(freqs, col, k=3, s=0)) for col in log_power.T])
    n = grid.size
    basis = np.cos(np.pi / n * (np.arange(n)[:, None] + 0.5) * np.arange(20)[None, :])
    basis *= np.sqrt(2 / n)
    basis[:, 0] /= np.sqrt(2)
    ref = uniform @ basis
    np.testing.assert_allclose(cqcc(x, SR, with_deltas=False), ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("f0", [1000.0, 440.0, 3170.0])
def test_tone_peaks_at_its_bin_with_its_amplitude(f0):
    x = 0.5 * np.sin(2 * np.pi * f0 * T)
    mag = np.abs(cqt(x, SR))[:, 100:-100].mean(axis=1)
    peak = cq_frequencies(SR)[mag.argmax()]
    assert abs(np.log2(peak / f0)) <= 1 / 24          # the nearest bin
    if f0 == 1000.0:                                   # exactly on bin 48 (62.5 * 2^4)
        assert mag.max() == pytest.approx(0.5, rel=0.02)
    else:                                              # Hann scalloping between bins
        assert 0.25 <= mag.max() <= 0.51


def test_two_tones_keep_their_level_ratio():
    x = 0.4 * np.sin(2 * np.pi * 500 * T) + 0.1 * np.sin(2 * np.pi * 2000 * T)
    mag = np.abs(cqt(x, SR))[:, 100:-100].mean(axis=1)
    freqs = cq_frequencies(SR)
    a = mag[np.argmin(np.abs(freqs - 500))]
    b = mag[np.argmin(np.abs(freqs - 2000))]
    assert a / b == pytest.approx(4.0, rel=0.1)


def test_full_rasterisation_frame_count_and_stationary_deltas():
    x = 0.5 * np.sin(2 * np.pi * 1000 * T)
    feats = cqcc(x, SR)
    top = bandwidths(cq_frequencies(SR), 12)[-1]      # the widest window sets the time grid
    assert feats.shape == (int(np.ceil(top * x.size / SR)), 60)
    assert cqcc(x, SR, hop_length=32).shape == (x.size // 32, 60)
    assert np.isfinite(feats).all()
    middle = feats[200:-200]
    assert np.abs(middle[:, 20:]).max() < 0.05 * np.abs(middle[:, :20]).max()
    noise = cqcc(np.random.default_rng(0).standard_normal(T.size) * 0.5, SR)
    assert np.abs(noise[200:-200, 1:20].mean(0) - middle[:, 1:20].mean(0)).max() > 1.0


def test_bad_input_raises():
    with pytest.raises(SpoofcmError):
        cqt(np.zeros(0), SR)
    with pytest.raises(SpoofcmError):
        cqt(np.zeros(1000), SR, hop_length=1000)
    with pytest.raises(SpoofcmError):
        cq_frequencies(SR, f_min=100.0, f_max=9000.0)
