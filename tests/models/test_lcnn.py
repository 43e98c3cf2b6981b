"""LFCC-LCNN: forward/backward and the baseline's parameter count."""
from __future__ import annotations

import pytest
import torch

from spoofcm.models.lcnn import MaxFeatureMap2D, build_lfcc_lcnn
from spoofcm.models.registry import build_model

#: our count for the 2021 baseline layout with 2 logits (the baseline's 1-output layer has 97 fewer)
FULL_PARAMS = 269_826


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_full_size_parameter_count():
    model = build_model({"model": {"name": "lfcc_lcnn"}})
    assert model.inputs == ("wav",)
    assert n_params(model) == FULL_PARAMS


def test_max_feature_map_halves_channels():
    x = torch.tensor([[[[1.0]], [[5.0]], [[3.0]], [[2.0]]]])
    assert MaxFeatureMap2D()(x).flatten().tolist() == [3.0, 5.0]


def test_forward_backward_small():
    torch.manual_seed(0)
    model = build_lfcc_lcnn({"channels": [8, 8, 8, 8, 8, 8, 8, 8, 8], "dropout": 0.1})
    wav = torch.randn(3, 8000)
    logits = model({"wav": wav})
    assert logits.shape == (3, 2)
    logits[:, 1].sum().backward()
    assert model.body[0].weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        assert model({"wav": torch.randn(1, 500)}).shape == (1, 2)   # padded to 16 frames
        assert not torch.allclose(model({"wav": wav})[0], model({"wav": wav * 0.1 + 0.3})[0])


def test_bad_channels_rejected():
    with pytest.raises(ValueError):
        build_lfcc_lcnn({"channels": [8, 8, 8]})
