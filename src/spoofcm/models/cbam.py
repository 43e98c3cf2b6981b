"""CBAM: convolutional block attention module (channel gate, then spatial gate).

Follows Woo et al. (ECCV 2018). The channel gate asks *which* feature maps matter (a shared
MLP over average- and max-pooled channel descriptors); the spatial gate asks *where* in the
(feature, time) plane they matter (a 7x7 convolution over channel-wise max and mean maps).
Both gates are sigmoids in [0, 1] that rescale the input, so CBAM can only attenuate, never
amplify, and a block with gates near 1 behaves like a plain residual block.
"""
from __future__ import annotations

import torch
from torch import nn


def channel_hidden(channels: int, reduction: int, min_hidden: int) -> int:
    """Width of the channel gate's bottleneck: ``channels // reduction``, at least ``min_hidden``.

    The floor keeps narrow networks (the mini recipe's 16 channels) from a 1-unit bottleneck;
    at ResNet18's full width (>= 64 channels, reduction 16) it never binds.
    """
    if channels < 1 or reduction < 1 or min_hidden < 1:
        raise ValueError(f"bad CBAM sizes: channels={channels} reduction={reduction} min_hidden={min_hidden}")
    return max(channels // reduction, min_hidden)


class ChannelGate(nn.Module):
    """Channel attention: sigmoid(MLP(avgpool(x)) + MLP(maxpool(x))), one weight per channel."""

    def __init__(self, channels: int, reduction: int = 16, min_hidden: int = 4) -> None:
        super().__init__()
        hidden = channel_hidden(channels, reduction, min_hidden)
        self.mlp = nn.Sequential(
            nn.Linear(channels, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, channels)
        )

    def gate(self, x: torch.Tensor) -> torch.Tensor:
        """The attention weights, shape (B, C, 1, 1), each in [0, 1]."""
        avg = self.mlp(x.mean(dim=(2, 3)))
        mx = self.mlp(x.amax(dim=(2, 3)))
        return torch.sigmoid(avg + mx)[:, :, None, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(x)


class SpatialGate(nn.Module):
    """Spatial attention: sigmoid(BN(conv7x7([max_c(x), mean_c(x)]))), one weight per position.

    The batch norm (``bn=True``, as in the CBAM authors' code) keeps the conv output centred
    so the sigmoid starts near 0.5 rather than saturating; without it the conv has a bias.
    """

    def __init__(self, kernel_size: int = 7, bn: bool = True) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"spatial gate kernel must be odd, got {kernel_size}")
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=not bn)
        self.bn = nn.BatchNorm2d(1) if bn else nn.Identity()

    def gate(self, x: torch.Tensor) -> torch.Tensor:
        """The attention map, shape (B, 1, H, W), each entry in [0, 1]."""
        pooled = torch.cat([x.amax(dim=1, keepdim=True), x.mean(dim=1, keepdim=True)], dim=1)
        return torch.sigmoid(self.bn(self.conv(pooled)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(x)


class CBAM(nn.Module):
    """Channel gate followed by spatial gate (the order the CBAM paper found best)."""

    def __init__(
        self, channels: int, reduction: int = 16, min_hidden: int = 4, spatial_bn: bool = True
    ) -> None:
        super().__init__()
        self.channel = ChannelGate(channels, reduction, min_hidden)
        self.spatial = SpatialGate(7, spatial_bn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.spatial(self.channel(x))
