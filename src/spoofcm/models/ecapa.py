"""LFCC + ECAPA-TDNN (Desplanques et al., Interspeech 2020) as a two-class countermeasure.

LFCC (60-d, :class:`spoofcm.features.lfcc.LFCC`, its ``lfcc_legacy`` defaults) computed inside the
model → Conv1d(60, C, 5) + ReLU + BN → three SE-Res2Net blocks (1x1 conv, Res2Net dilated 3-tap
convs with ``scale=8`` groups and dilations 2, 3, 4, 1x1 conv, squeeze-excitation with a 128-unit
bottleneck, residual add) → multi-layer feature aggregation (the three block outputs
concatenated, Conv1d(3C, 1536, 1) + ReLU) → attentive statistics pooling with global context
(attention over frames from [h, mean(h), std(h)], 128-unit hidden layer) → BN → Linear → 192-d
embedding → BN → Linear → 2 logits. Published sizes: C = 512 (6.2 M parameters on 80-d fbanks,
speaker head excluded) or C = 1024 (14.7 M). Config: ``channels``, ``mfa_channels``,
``embed_dim``, ``scale``, ``se_bottleneck``, ``attention_hidden``, ``lfcc``.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from spoofcm.features.lfcc import LFCC


def conv_relu_bn(in_ch: int, out_ch: int, kernel: int = 1, dilation: int = 1) -> nn.Sequential:
    pad = dilation * (kernel - 1) // 2
    return nn.Sequential(nn.Conv1d(in_ch, out_ch, kernel, dilation=dilation, padding=pad),
                         nn.ReLU(), nn.BatchNorm1d(out_ch))


class SEBlock(nn.Module):
    def __init__(self, channels: int, bottleneck: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(channels, bottleneck), nn.ReLU(),
                                 nn.Linear(bottleneck, channels), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.net(x.mean(dim=-1)).unsqueeze(-1)


class SERes2Block(nn.Module):
    """1x1 conv → Res2Net (hierarchical dilated convs over ``scale`` groups) → 1x1 conv → SE."""

    def __init__(self, channels: int, dilation: int, scale: int, se_bottleneck: int) -> None:
        super().__init__()
        if channels % scale:
            raise ValueError("ecapa: channels must be divisible by scale")
        width = channels // scale
        self.scale = scale
        self.conv_in = conv_relu_bn(channels, channels)
        self.res2 = nn.ModuleList([conv_relu_bn(width, width, 3, dilation) for _ in range(scale - 1)])
        self.conv_out = conv_relu_bn(channels, channels)
        self.se = SEBlock(channels, se_bottleneck)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = self.conv_in(x).chunk(self.scale, dim=1)
        outs, prev = [parts[0]], None
        for conv, part in zip(self.res2, parts[1:]):
            prev = conv(part if prev is None else part + prev)
            outs.append(prev)
        return self.se(self.conv_out(torch.cat(outs, dim=1))) + x


class AttentiveStatsPool(nn.Module):
    """Attention-weighted mean and std over frames, attention conditioned on global context."""

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.attention = nn.Sequential(nn.Conv1d(3 * channels, hidden, 1), nn.ReLU(),
                                       nn.BatchNorm1d(hidden), nn.Tanh(),
                                       nn.Conv1d(hidden, channels, 1))

    @staticmethod
    def _stats(x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = (x * w).sum(dim=-1)
        var = ((x ** 2) * w).sum(dim=-1) - mean ** 2
        return mean, var.clamp_min(1e-6).sqrt()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        uniform = torch.full_like(x[:, :1], 1.0 / x.shape[-1])
        mean, std = self._stats(x, uniform)
        context = torch.cat([x, mean.unsqueeze(-1).expand_as(x), std.unsqueeze(-1).expand_as(x)], 1)
        weights = torch.softmax(self.attention(context), dim=-1)
        return torch.cat(self._stats(x, weights), dim=1)


class LFCCECAPATDNN(nn.Module):
    inputs = ("wav",)

    def __init__(self, channels: int = 512, mfa_channels: int = 1536, embed_dim: int = 192,
                 scale: int = 8, se_bottleneck: int = 128, attention_hidden: int = 128,
                 lfcc: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.frontend = LFCC(**(lfcc or {}))
        self.stem = conv_relu_bn(self.frontend.out_dim, channels, 5)
        self.blocks = nn.ModuleList([SERes2Block(channels, d, scale, se_bottleneck) for d in (2, 3, 4)])
        self.mfa = nn.Sequential(nn.Conv1d(3 * channels, mfa_channels, 1), nn.ReLU())
        self.pool = AttentiveStatsPool(mfa_channels, attention_hidden)
        self.embed = nn.Sequential(nn.BatchNorm1d(2 * mfa_channels), nn.Linear(2 * mfa_channels, embed_dim),
                                   nn.BatchNorm1d(embed_dim))
        self.out = nn.Linear(embed_dim, 2)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        x = self.stem(self.frontend(batch["wav"]).transpose(1, 2))
        outs = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        return self.out(self.embed(self.pool(self.mfa(torch.cat(outs, dim=1)))))


def build_lfcc_ecapa_tdnn(model_cfg: dict[str, Any], cfg: dict[str, Any] | None = None) -> LFCCECAPATDNN:
    keys = ("channels", "mfa_channels", "embed_dim", "scale", "se_bottleneck", "attention_hidden")
    return LFCCECAPATDNN(**{k: int(model_cfg[k]) for k in keys if k in model_cfg},
                         lfcc=model_cfg.get("lfcc"))
