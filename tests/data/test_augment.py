"""RawBoost (algorithms 1-8) and codec augmentation: shapes, levels, determinism by seed."""
from __future__ import annotations

import numpy as np
import pytest

from spoofcm.data.augment import build_augment
from spoofcm.data.codec_aug import CODECS, alaw, apply_codec, mulaw
from spoofcm.data.rawboost import RawBoostParams, isd_additive, rawboost, ssi_additive
from spoofcm.errors import SpoofcmError

SR = 16000


def speechlike(seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR  # tones inside the 300-3400 Hz telephone band
    return (0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2
            + 0.1 * np.sin(2 * np.pi * 1300 * t)).astype(np.float32)


@pytest.mark.parametrize("algo", range(9))
def test_rawboost_shape_range_and_determinism(algo):
    x = speechlike()
    a = rawboost(x, algo, np.random.default_rng(7))
    b = rawboost(x, algo, np.random.default_rng(7))
    assert a.shape == x.shape and a.dtype == np.float32 and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    if algo == 0:
        np.testing.assert_array_equal(a, x)
    else:
        assert not np.array_equal(a, rawboost(x, algo, np.random.default_rng(8)))
        assert not np.allclose(a, x)
    if algo in (1, 2, 4, 5, 6, 8):                     # peak-normalised only when above 1
        assert np.abs(a).max() <= 1.0 + 1e-6


def test_ssi_noise_lies_in_the_configured_snr_range():
    x = speechlike().astype(np.float64)
    prm = RawBoostParams()
    snrs = []
    for seed in range(20):
        noise = ssi_additive(x, np.random.default_rng(seed), prm, SR) - x
        snrs.append(20 * np.log10(np.linalg.norm(x) / np.linalg.norm(noise)))
    assert prm.snr_min - 1e-6 <= min(snrs) and max(snrs) <= prm.snr_max + 1e-6
    assert max(snrs) - min(snrs) > 10                  # really drawn across the range


def test_isd_hits_at_most_p_percent_with_bounded_gain():
    x = speechlike().astype(np.float64) * 0.2           # stays below 1: no renormalisation
    prm = RawBoostParams()
    for seed in range(10):
        y = isd_additive(x, np.random.default_rng(seed), prm)
        changed = y != x
        assert changed.mean() <= prm.p / 100
        ratio = np.abs(y[changed] - x[changed]) / np.abs(x[changed])
        assert ratio.max() <= prm.g_sd + 1e-9


def test_companding_round_trips_closely():
    x = np.linspace(-1, 1, 2001)
    for fn in (mulaw, alaw):
        y = fn(x)
        assert np.abs(y - x).max() < 0.04                # 8-bit quantisation, log steps
        small = np.abs(x) < 0.01
        assert np.abs(y - x)[small].max() < 0.002        # fine steps near zero


@pytest.mark.parametrize("codec", CODECS)
def test_codec_round_trip_keeps_length_and_level(codec):
    x = speechlike()
    y = apply_codec(x, codec, np.random.default_rng(0))
    assert y.shape == x.shape and y.dtype == np.float32
    rms = np.sqrt(np.mean(y ** 2)) / np.sqrt(np.mean(x ** 2))
    assert 0.7 < rms < 1.3
    corr = np.corrcoef(x[2000:-2000], y[2000:-2000])[0, 1]
    assert corr > 0.9                                  # aligned, no big delay
    np.testing.assert_array_equal(y, apply_codec(x, codec, np.random.default_rng(0)))


def test_build_augment_config_and_seeding():
    x = speechlike(0.5)
    aug = build_augment({"rawboost": 5, "codec": {"prob": 0.5, "types": ["mulaw", "mp3"]}})
    a = aug(x, np.random.default_rng(3))
    np.testing.assert_array_equal(a, aug(x, np.random.default_rng(3)))
    assert a.shape == x.shape
    assert build_augment(None)(x, np.random.default_rng(0)) is not None
    np.testing.assert_array_equal(build_augment({})(x, np.random.default_rng(0)), x)
    custom = build_augment({"rawboost": {"algo": 3, "snr_min": 20, "snr_max": 20}})
    noise = custom(x, np.random.default_rng(0)) - x
    assert 20 * np.log10(np.linalg.norm(x) / np.linalg.norm(noise)) == pytest.approx(20, abs=0.01)


@pytest.mark.parametrize("cfg", [{"rawboost": 9}, {"rawboost": "5"}, {"codec": {"prob": 2, "types": ["mp3"]}},
                                 {"codec": {"prob": 0.5, "types": ["aac"]}}, {"codec": {"prob": 0.5}},
                                 {"rawbost": 1}, {"rawboost": {"algo": 1, "nbands": 3}}])
def test_bad_augment_config_raises(cfg):
    with pytest.raises(SpoofcmError):
        build_augment(cfg)
