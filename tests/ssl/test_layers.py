"""Layer indices: parsing, resolution, and what each index returns (checked on fairseq's outputs)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.ssl import extract, load
from spoofcm.ssl.layers import parse_layers, resolve_layers


@pytest.mark.parametrize("spec,expected", [
    ("-1", [-1]), ("6,12", [6, 12]), ("[6, 12]", [6, 12]), (" 3 , -2 ", [3, -2]),
    (5, [5]), ([0, -1], [0, -1])])
def test_parse_layers(spec, expected):
    assert parse_layers(spec) == expected


@pytest.mark.parametrize("spec", ["", "a,b", "1.5"])
def test_parse_layers_rejects(spec):
    with pytest.raises(SpoofcmError, match="ssl.layers"):
        parse_layers(spec)


def test_resolve_layers():
    assert resolve_layers([-1, 0, 24, -24, -25, 12], 24) == [24, 0, 24, 1, 0, 12]
    with pytest.raises(SpoofcmError, match="out of range"):
        resolve_layers([25], 24)
    with pytest.raises(SpoofcmError, match="out of range"):
        resolve_layers([-26], 24)


@pytest.mark.parametrize("ckpt", ["xlsr_style", "base_style"])
def test_indices_against_fairseq(fairseq_golden, ckpt):
    """0 = layer0_input, k = layer_results[k-1], -1 = fairseq's final x (after the final LN)."""
    model = load(fairseq_golden / f"{ckpt}.pt")
    model.config.spoofcm_normalize = False  # fairseq's references were computed unnormalised
    wave = np.load(fairseq_golden / "input_2p37s.npy")[0]
    num_layers = model.config.num_hidden_layers
    with torch.no_grad():
        feats = extract(model, wave, [0, 1, -1, num_layers]).numpy()
    dim = model.config.hidden_size
    ref = lambda name: np.load(fairseq_golden / f"{ckpt}__2p37s__{name}.npy")[..., 0, :, :]  # noqa: E731
    assert feats.shape == (118, 4 * dim)
    np.testing.assert_allclose(feats[:, :dim], ref("layer0_input"), atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(feats[:, dim:2 * dim], ref("layer_results")[0], atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(feats[:, 2 * dim:3 * dim], ref("x"), atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(feats[:, 3 * dim:], ref("x"), atol=1e-5, rtol=1e-5)
