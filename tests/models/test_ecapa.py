"""LFCC + ECAPA-TDNN: forward/backward and parameter counts against the published sizes."""
from __future__ import annotations

import torch

from spoofcm.models.ecapa import build_lfcc_ecapa_tdnn
from spoofcm.models.registry import build_model


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_parameter_counts():
    assert n_params(build_model({"model": {"name": "lfcc_ecapa_tdnn"}})) == 6_140_546
    # the published 6.2 M is for 80-d filterbank input with C = 512
    fbank80 = build_lfcc_ecapa_tdnn({"lfcc": {"n_filters": 80, "n_coeffs": 80, "with_deltas": False}})
    assert n_params(fbank80) == 6_191_746


def test_forward_backward_small():
    torch.manual_seed(0)
    model = build_lfcc_ecapa_tdnn({"channels": 16, "mfa_channels": 24, "embed_dim": 8,
                                   "scale": 4, "se_bottleneck": 4, "attention_hidden": 4})
    assert model.inputs == ("wav",)
    logits = model({"wav": torch.randn(3, 6000)})
    assert logits.shape == (3, 2)
    logits.sum().backward()
    assert model.blocks[0].res2[0][0].weight.grad.abs().sum() > 0
    assert model.pool.attention[0].weight.grad.abs().sum() > 0
