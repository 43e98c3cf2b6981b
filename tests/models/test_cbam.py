"""CBAM: shapes, gate ranges, both pooled descriptors, the 7x7 spatial gate, gate order."""
from __future__ import annotations

import pytest
import torch

from spoofcm.models.cbam import CBAM, ChannelGate, SpatialGate, channel_hidden

torch.set_num_threads(1)


@pytest.mark.parametrize(
    "channels,reduction,floor,expected", [(64, 16, 4, 4), (512, 16, 4, 32), (16, 16, 4, 4), (16, 16, 1, 1)]
)
def test_channel_hidden(channels, reduction, floor, expected):
    assert channel_hidden(channels, reduction, floor) == expected
    assert ChannelGate(channels, reduction, floor).mlp[0].out_features == expected


def test_shapes_and_gate_ranges():
    torch.manual_seed(0)
    x = torch.randn(3, 32, 10, 13) * 5
    cg, sg, cbam = ChannelGate(32), SpatialGate(), CBAM(32)
    assert cg(x).shape == sg(x).shape == cbam(x).shape == x.shape
    c, s = cg.gate(x).detach(), sg.gate(x).detach()
    assert c.shape == (3, 32, 1, 1) and s.shape == (3, 1, 10, 13)
    for g in (c, s):
        assert float(g.min()) >= 0.0 and float(g.max()) <= 1.0


def test_channel_gate_formula_uses_avg_and_max():
    torch.manual_seed(0)
    cg = ChannelGate(8, reduction=2)
    x = torch.randn(2, 8, 5, 6)
    expected = torch.sigmoid(cg.mlp(x.mean(dim=(2, 3))) + cg.mlp(x.amax(dim=(2, 3))))
    torch.testing.assert_close(cg.gate(x)[:, :, 0, 0], expected)
    # same per-channel mean, different max: the gate must change (max descriptor is used)
    base = torch.zeros(1, 8, 4, 4)
    spiky = base.clone()
    spiky[0, :, 0, 0], spiky[0, :, 1, 1] = 3.0, -3.0
    torch.testing.assert_close(spiky.mean(dim=(2, 3)), base.mean(dim=(2, 3)))
    assert not torch.allclose(cg.gate(spiky), cg.gate(base))
    # same per-channel max, different mean: the gate must change (average descriptor is used)
    low = torch.full((1, 8, 4, 4), -2.0)
    low[0, :, 0, 0] = 1.0
    high = torch.full((1, 8, 4, 4), 0.5)
    high[0, :, 0, 0] = 1.0
    torch.testing.assert_close(low.amax(dim=(2, 3)), high.amax(dim=(2, 3)))
    assert not torch.allclose(cg.gate(low), cg.gate(high))


def test_spatial_gate_is_7x7_over_max_and_mean():
    torch.manual_seed(0)
    sg = SpatialGate().eval()
    assert sg.conv.weight.shape == (1, 2, 7, 7) and sg.conv.padding == (3, 3)
    x = torch.randn(2, 6, 20, 20)
    pooled = torch.cat([x.amax(dim=1, keepdim=True), x.mean(dim=1, keepdim=True)], dim=1)
    torch.testing.assert_close(sg.gate(x), torch.sigmoid(sg.bn(sg.conv(pooled))))
    # a change at one position moves the gate only within the 7x7 neighbourhood (radius 3)
    y = x.clone()
    y[:, :, 10, 10] += 10.0
    changed = (sg.gate(y) - sg.gate(x)).abs()[0, 0] > 1e-7
    rows, cols = torch.nonzero(changed, as_tuple=True)
    assert changed[10, 10]
    assert int(rows.min()) >= 7 and int(rows.max()) <= 13
    assert int(cols.min()) >= 7 and int(cols.max()) <= 13


def test_spatial_gate_without_bn_has_bias():
    sg = SpatialGate(bn=False)
    assert sg.conv.bias is not None and isinstance(sg.bn, torch.nn.Identity)
    with pytest.raises(ValueError):
        SpatialGate(kernel_size=6)


def test_cbam_is_channel_then_spatial_and_differentiable():
    torch.manual_seed(0)
    cbam = CBAM(16).eval()
    x = torch.randn(2, 16, 9, 11, requires_grad=True)
    out = cbam(x)
    torch.testing.assert_close(out, cbam.spatial(cbam.channel(x)))
    out.sum().backward()
    assert x.grad is not None and float(x.grad.abs().sum()) > 0
    assert all(p.grad is not None for p in cbam.parameters())
