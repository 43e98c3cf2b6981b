"""LFCC/CQCC GMM baselines: scoring sign on separable synthetic data, checkpoint round trip."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import lfilter

from spoofcm.errors import SpoofcmError
from spoofcm.models.gmm import build_cqcc_gmm, build_lfcc_gmm
from spoofcm.models.registry import build_model

SR = 16000
SMALL = {"n_components": 4, "max_iter": 20, "max_frames": 2000, "spoof_every": 1}


def bona(rng: np.random.Generator) -> np.ndarray:
    """Tone + white noise."""
    t = np.arange(SR // 2) / SR
    f0 = rng.uniform(300, 600)
    return (0.3 * np.sin(2 * np.pi * f0 * t) + 0.02 * rng.standard_normal(t.size)).astype(np.float32)


def spoof(rng: np.random.Generator) -> np.ndarray:
    """High-pass coloured noise (a different spectrum)."""
    return (0.05 * lfilter([1.0, -0.9], [1.0], rng.standard_normal(SR // 2))).astype(np.float32)


@pytest.mark.parametrize("builder", [build_lfcc_gmm, build_cqcc_gmm])
def test_bonafide_scores_higher_and_state_round_trips(builder, tmp_path):
    rng = np.random.default_rng(0)
    model = builder(SMALL, {"train": {"seed": 1}})
    assert model.is_neural is False and model.inputs == ("wav",)
    model.fit((bona(rng) for _ in range(4)), (spoof(rng) for _ in range(4)))
    test_bona = [model.score_wave(bona(rng)) for _ in range(3)]
    test_spoof = [model.score_wave(spoof(rng)) for _ in range(3)]
    assert min(test_bona) > 0 > max(test_spoof)
    torch.save(model.state_dict(), tmp_path / "gmm.pt")
    state = torch.load(tmp_path / "gmm.pt", weights_only=True)
    fresh = builder(SMALL)
    fresh.load_state_dict(state)
    wave = bona(rng)
    assert fresh.score_wave(wave) == pytest.approx(model.score_wave(wave), rel=1e-9)
    other = builder({**SMALL, "features": {"delta_width": 2}})   # another front end: refused
    with pytest.raises(SpoofcmError, match="trained on"):
        other.load_state_dict(state)


def test_registry_builds_gmms_and_errors_are_clear():
    model = build_model({"model": {"name": "lfcc_gmm", **SMALL}})
    with pytest.raises(SpoofcmError, match="not trained"):
        model.score_wave(np.zeros(SR, np.float32))
    with pytest.raises(SpoofcmError, match="frames"):
        model.fit([np.zeros(400, np.float32)], [np.zeros(400, np.float32)])
    cq = build_cqcc_gmm(SMALL)
    with pytest.raises(SpoofcmError, match="lfcc"):
        cq.load_state_dict({"feature": "lfcc", "n_components": 4})


def test_official_subsampling_and_fixed_em_iterations():
    """spoof_every / bonafide_every keep every n-th file; official defaults."""
    from spoofcm.models.gmm import GMMSystem
    seen: list[float] = []

    def frontend(wave: np.ndarray) -> np.ndarray:
        seen.append(float(wave[0]))
        return np.random.default_rng(int(wave[0])).standard_normal((50, 3))

    system = GMMSystem(frontend, "test", n_components=2, max_iter=3, every=(2, 10))
    system.fit((np.full(10, i, np.float32) for i in range(5)),
               (np.full(10, 100 + i, np.float32) for i in range(25)))
    assert seen == [0, 2, 4, 100, 110, 120]
    assert build_cqcc_gmm({}).every == (1, 10) and build_lfcc_gmm({}).every == (1, 1)
    assert (build_lfcc_gmm({}).n_components, build_lfcc_gmm({}).max_iter) == (512, 10)
    with pytest.raises(SpoofcmError, match="every"):
        build_lfcc_gmm({"spoof_every": 0})
