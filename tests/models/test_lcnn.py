"""LFCC-LCNN: forward/backward, the baseline's parameter count and its one-logit BCE head."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from spoofcm.errors import SpoofcmError
from spoofcm.models.lcnn import MaxFeatureMap2D, build_lfcc_lcnn
from spoofcm.models.registry import build_model
from spoofcm.infer.scoring import logits_to_scores

#: the 2021 baseline layout with its single output unit (a two-unit output layer adds 97)
FULL_PARAMS = 269_729


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_full_size_parameter_count():
    model = build_model({"model": {"name": "lfcc_lcnn"}})
    assert model.inputs == ("wav",)
    assert n_params(model) == FULL_PARAMS
    two = build_model({"model": {"name": "lfcc_lcnn", "head": "two_logit"}})
    assert n_params(two) == FULL_PARAMS + 97


def test_one_logit_head_trains_with_bce_and_scores_its_logit():
    """The trainer's cross-entropy on the model output is BCE(sigmoid(z), y); the score is z."""
    torch.manual_seed(0)
    model = build_lfcc_lcnn({"channels": [8] * 9, "dropout": 0.0}).eval()
    logits = model({"wav": torch.randn(4, 6000)})
    assert logits.shape == (4, 2) and (logits[:, 0] == 0).all()
    z = logits[:, 1]
    labels = torch.tensor([1, 0, 1, 0])
    torch.testing.assert_close(F.cross_entropy(logits, labels),
                               F.binary_cross_entropy(torch.sigmoid(z), labels.float()))
    torch.testing.assert_close(logits_to_scores(logits), z)
    with pytest.raises(SpoofcmError, match="head"):
        build_lfcc_lcnn({"head": "three"})


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
