"""ResNet18 (BasicBlock, [2, 2, 2, 2]) over 2-D feature maps, with optional CBAM in every block.

The network is He et al.'s ImageNet ResNet18 (7x7/2 stem, 3x3/2 max pool, four stages of two
BasicBlocks at widths w, 2w, 4w, 8w, strides 1, 2, 2, 2, global average pooling) with two
changes: the number of input channels is a parameter (1 for a single fused map) and the base
width ``w`` is configurable (64 = ResNet18; the mini recipe uses less). With ``cbam=True``
every block applies CBAM to the output of its second batch norm, before the residual
addition, as in the CBAM paper's ResNet integration.
"""
from __future__ import annotations

import torch
from torch import nn

from spoofcm.models.cbam import CBAM

RESNET18_LAYERS: tuple[int, int, int, int] = (2, 2, 2, 2)


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN [-CBAM] + shortcut, then ReLU."""

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        stride: int = 1,
        cbam: bool = False,
        cbam_reduction: int = 16,
        cbam_min_hidden: int = 4,
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU(inplace=True)
        self.cbam = CBAM(out_ch, cbam_reduction, cbam_min_hidden) if cbam else None
        self.downsample: nn.Module | None = None
        if stride != 1 or in_ch != out_ch:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False), nn.BatchNorm2d(out_ch)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.cbam is not None:
            out = self.cbam(out)
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """Feature extractor: (B, in_channels, H, W) -> (B, 8 * width) pooled embedding."""

    def __init__(
        self,
        in_channels: int = 1,
        width: int = 64,
        cbam: bool = False,
        cbam_reduction: int = 16,
        cbam_min_hidden: int = 4,
        layers: tuple[int, ...] = RESNET18_LAYERS,
    ) -> None:
        super().__init__()
        if width < 1 or in_channels < 1:
            raise ValueError(f"bad ResNet sizes: in_channels={in_channels} width={width}")
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, width, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        stages: list[nn.Module] = []
        in_ch = width
        for i, n_blocks in enumerate(layers):
            out_ch = width * 2**i
            blocks = []
            for j in range(n_blocks):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(BasicBlock(in_ch, out_ch, stride, cbam, cbam_reduction, cbam_min_hidden))
                in_ch = out_ch
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.out_dim = in_ch
        self._init_weights()

    def _init_weights(self) -> None:
        """He init for convs, unit/zero batch norms: torchvision's ResNet defaults."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(self.stem(x)).mean(dim=(2, 3))
