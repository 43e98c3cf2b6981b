"""Parity of the official LFCC configurations with the organisers' own outputs.

The golden features (shared/golden/baseline_frontends, see its README) were computed by the
organisers' code: the LFCC-LCNN PyTorch front end and the LFCC-GMM MATLAB function (in Octave).
Both are compared through the model configs of conf/model/, so the defaults are what is checked.
Tolerance "1e-4 relative": each element within 1e-4 of the golden value relatively, or within
1e-4 of the largest golden magnitude of its block (static, delta, delta-delta), since deltas of
nearly equal frames are differences of float32 numbers and have no relative precision of their own.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from spoofcm.config import load_yaml
from spoofcm.features.lfcc import LFCC, LFCC_GMM_2021, LFCC_LCNN_2021, frame_signal, lfcc
from spoofcm.models.registry import build_model

REPO = Path(__file__).resolve().parents[2]
INPUTS = ("speech_short_20000", "speech_64600", "speech_long_100000", "noise_64600", "chirp_80000")


def golden(golden_dir: Path, kind: str) -> Path:
    path = golden_dir / "baseline_frontends" / kind
    if not path.is_dir():
        pytest.skip(f"golden baseline front-end features not found at {path}")
    return path


def assert_parity(ours: np.ndarray, ref: np.ndarray, n_coeffs: int) -> None:
    assert ours.shape == ref.shape
    for b in range(3):
        block = slice(b * n_coeffs, (b + 1) * n_coeffs)
        np.testing.assert_allclose(ours[:, block], ref[:, block], rtol=1e-4,
                                   atol=1e-4 * np.abs(ref[:, block]).max())


@pytest.mark.parametrize("name", INPUTS)
def test_lcnn_frontend_of_the_default_config_equals_the_organisers(golden_dir, name):
    ref_dir = golden(golden_dir, "lfcc_lcnn")
    wave = np.load(golden_dir / "aasist" / "inputs" / f"{name}.npy")
    model = build_model(load_yaml(REPO / "conf/model/lfcc_lcnn.yaml"))
    ours = model.frontend(torch.from_numpy(wave)).detach().numpy()
    ref = np.load(ref_dir / f"{name}.lfcc.npy")
    assert ours.shape[0] == 1 + wave.size // 160              # torch.stft centre framing
    assert_parity(ours, ref, 20)


@pytest.mark.parametrize("name", INPUTS)
def test_gmm_frontend_of_the_default_config_equals_the_organisers(golden_dir, name):
    ref_dir = golden(golden_dir, "lfcc_gmm")
    wave = np.load(golden_dir / "aasist" / "inputs" / f"{name}.npy")
    system = build_model(load_yaml(REPO / "conf/model/lfcc_gmm.yaml"))
    ours = system.features(wave)
    ref = np.load(ref_dir / f"{name}.lfcc.npy")
    assert ours.shape[0] == -(-(wave.size - 240) // 240)      # MATLAB buffer, 'nodelay'
    assert_parity(ours, ref, 19)


def test_yaml_configs_are_the_named_official_ones():
    lcnn = load_yaml(REPO / "conf/model/lfcc_lcnn.yaml")["model"]
    gmm = load_yaml(REPO / "conf/model/lfcc_gmm.yaml")["model"]
    assert lcnn["lfcc"] == LFCC_LCNN_2021 and lcnn["config_name"] == "lfcc_lcnn_2021"
    assert gmm["features"] == LFCC_GMM_2021 and gmm["config_name"] == "lfcc_gmm_2021"
    assert LFCC(**LFCC_LCNN_2021).out_dim == 60 and LFCC(**LFCC_GMM_2021).out_dim == 57


def test_lcnn_2021_facts_on_a_direct_numpy_computation():
    """Independent of the golden files: the facts of expected.json written out in numpy."""
    x = np.random.default_rng(0).standard_normal(5000).astype(np.float32)
    ours = lfcc(x, 16000, **LFCC_LCNN_2021).double().numpy()
    y = np.concatenate([x[:1], x[1:] - 0.97 * x[:-1]]).astype(np.float64)
    padded = np.pad(y, 512)
    win = np.zeros(1024)
    win[352:672] = np.hamming(321)[:320]                      # periodic Hamming, centred
    frames = np.stack([padded[160 * t:160 * t + 1024] for t in range(1 + 5000 // 160)])
    power = np.abs(np.fft.rfft(frames * win)) ** 2
    power = power[:, :256]                                    # int(0.5 * 513) bins: 0-4 kHz
    f = np.arange(256) * 16000 / 1024
    edges = np.linspace(f[0], f[-1], 22)
    fb = np.stack([np.interp(f, edges[i:i + 3], [0, 1, 0]) for i in range(20)], axis=1)
    eps = np.finfo(np.float32).eps
    logfb = np.log10(power @ fb + eps)
    n = np.arange(20)
    dct = np.cos(np.pi / 20 * (n[:, None] + 0.5) * n[None, :]) * np.sqrt(2 / 20)
    dct[:, 0] /= np.sqrt(2)
    static = logfb @ dct
    static[:, 0] = np.log10(power.sum(axis=1) / 1024 + eps)
    diff = lambda a: np.pad(a, ((1, 1), (0, 0)), mode="edge")[2:] - np.pad(
        a, ((1, 1), (0, 0)), mode="edge")[:-2]
    ref = np.concatenate([static, diff(static), diff(diff(static))], axis=1)
    assert_parity(ours, ref, 20)


@pytest.mark.parametrize("n", [100, 239, 240, 480, 481, 720])
def test_buffer_framing_counts_and_zero_pads_like_matlab(n):
    wave = torch.arange(1, n + 1, dtype=torch.float64)[None]
    frames = frame_signal(wave, 480, 240, "buffer")[0]
    assert frames.shape[0] == max(1, -(-(n - 240) // 240))
    assert frames[0, 0] == 1 and (frames[1:, 0] == 1 + 240 * torch.arange(1, frames.shape[0])).all()
    assert frames.flatten().max() == n and (frames[-1][frames[-1] > 0]).numel() == min(
        480, n - 240 * (frames.shape[0] - 1))
