"""RawNet2: fixed sinc filters, forward/backward, the 2021 baseline's parameter count."""
from __future__ import annotations

import math

import torch

from spoofcm.models.rawnet2 import build_rawnet2, mel_sinc_filters
from spoofcm.models.registry import build_model

FULL_PARAMS = 17_621_410  # 20 sinc filters (not trained) → 6 FMS blocks → GRU 3x1024 → FC 1024
SMALL = {"sinc_filters": 4, "sinc_length": 64, "filts": [[4, 4], [4, 8], [8, 8]],
         "gru_node": 16, "nb_gru_layer": 1, "nb_fc_node": 16}


def test_full_size_parameter_count_and_fixed_front_end():
    model = build_model({"model": {"name": "rawnet2"}})
    assert sum(p.numel() for p in model.parameters()) == FULL_PARAMS
    assert model.sinc.shape == (20, 1, 1025) and not model.sinc.requires_grad


def test_sinc_filters_pass_their_mel_band():
    bank = mel_sinc_filters(20, 1024, 16000).double()
    response = torch.fft.rfft(bank, n=16000).abs()       # 1 Hz resolution
    mel = torch.linspace(0, 2595 * math.log10(1 + 8000 / 700), 21, dtype=torch.float64)
    edges = 700 * (10 ** (mel / 2595) - 1)
    for i in range(1, 19):
        centre = int((edges[i] + edges[i + 1]) / 2)
        assert abs(response[i, centre].item() - 1.0) < 0.05           # unit pass-band gain
        far = [int((edges[j] + edges[j + 1]) / 2) for j in (i - 2, i + 2) if 0 <= j < 20]
        assert all(response[i, f].item() < 0.05 for f in far)        # stop band
    assert torch.all(torch.diff(edges) > 0) and edges[-1] - edges[-2] > 5 * (edges[1] - edges[0])


def test_forward_backward_small():
    torch.manual_seed(0)
    model = build_rawnet2(SMALL)
    logits = model({"wav": torch.randn(2, 8000)})
    assert logits.shape == (2, 2)
    logits.sum().backward()
    assert model.blocks[0].conv1.weight.grad.abs().sum() > 0
    assert model.blocks[0].fms.weight.grad is not None
    model.eval()
    with torch.no_grad():
        assert model({"wav": torch.randn(1, 100)}).shape == (1, 2)   # padded to one frame
