"""AASIST on the raw waveform (Jung et al., ICASSP 2022), the model of the authors' release.

wave (B, N) → fixed sinc filterbank (``filts[0]`` mel-spaced band-pass filters of
``first_conv`` taps, made odd; the RawNet2 filters of :func:`spoofcm.models.rawnet2.mel_sinc_filters`,
not trained) → |.| → max-pool 3x3 over (filter, time) → BN, SELU → 6 residual blocks on the
(1, filters/3, time) image, each ending in a (1, 3) max-pool (channels ``filts[1..4]``, the last
width repeated twice) → spectral nodes = max |.| over time (+ positional embedding ``pos_S``),
temporal nodes = max |.| over frequency → the spectro-temporal graph of
:class:`spoofcm.models.aasist_graph.SpectroTemporalGraph` → 2 logits.

Published sizes: AASIST ``filts [70, [1, 32], [32, 32], [32, 64], [64, 64]]``, ``gat_dims
[64, 32]``, ``pool_ratios [0.5, 0.7, 0.5, 0.5]`` (297,866 parameters); AASIST-L ``filts [70,
[1, 32], [32, 32], [32, 24], [24, 24]]``, ``gat_dims [24, 32]``, ``pool_ratios [0.4, 0.5, 0.7,
0.5]`` (85,306). Parameter names are the authors', so their state dicts load unchanged
(``spoofcm-import-aasist``). ``freq_mask: n`` > 0 zeroes a random run of up to n sinc filters
per training batch (the authors' optional ``freq_aug``, with n = 20).
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from spoofcm.errors import SpoofcmError
from spoofcm.models.aasist_graph import SpectroTemporalGraph
from spoofcm.models.aasist_layers import ResidualBlock2d
from spoofcm.models.rawnet2 import mel_sinc_filters

FILTS: tuple = (70, (1, 32), (32, 32), (32, 64), (64, 64))
GAT_DIMS = (64, 32)
POOL_RATIOS = (0.5, 0.7, 0.5, 0.5)
TEMPERATURES = (2.0, 2.0, 100.0, 100.0)
POOLS = 7   # time max-pools of 3: the first one and one per residual block


class AASIST(SpectroTemporalGraph):
    inputs = ("wav",)

    def __init__(self, filts: Sequence[Any] = FILTS, first_conv: int = 128,
                 gat_dims: Sequence[int] = GAT_DIMS, pool_ratios: Sequence[float] = POOL_RATIOS,
                 temperatures: Sequence[float] = TEMPERATURES, sample_rate: int = 16000,
                 freq_mask: int = 0) -> None:
        super().__init__()
        n_sinc, *blocks = filts
        blocks = [tuple(int(v) for v in b) for b in blocks]
        if len(blocks) != 4 or blocks[0][0] != 1:
            raise SpoofcmError(f"aasist: filts must be [n_sinc, [1, c1], [c1, c2], [c2, c3], "
                               f"[c3, c4]], got {list(filts)}")
        blocks += [blocks[-1], blocks[-1]]
        ch = blocks[-1][1]
        bank = mel_sinc_filters(int(n_sinc), int(first_conv), sample_rate, single_precision=True)
        self.register_buffer("sinc", bank.unsqueeze(1), persistent=False)  # fixed, not saved
        self.freq_mask = int(freq_mask)
        self.first_bn = nn.BatchNorm2d(1)
        self.selu = nn.SELU()
        self.encoder = nn.Sequential(*[nn.Sequential(ResidualBlock2d(i, o, pool_time=3,
                                                                     unused_bn1=n > 0))
                                       for n, (i, o) in enumerate(blocks)])
        self.pos_S = nn.Parameter(torch.randn(1, int(n_sinc) // 3, ch))
        self.build_graph(ch, gat_dims, pool_ratios, temperatures)

    def min_samples(self) -> int:
        """Shortest input that leaves one temporal node after every pool."""
        return self.sinc.shape[-1] - 1 + 3 ** POOLS

    def _filters(self) -> torch.Tensor:
        if not (self.training and self.freq_mask > 0):
            return self.sinc
        width = int(torch.randint(0, self.freq_mask, ()).item())
        start = int(torch.randint(0, self.sinc.shape[0] - width + 1, ()).item())
        filters = self.sinc.clone()
        filters[start:start + width] = 0
        return filters

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        wav = batch["wav"]
        short = self.min_samples() - wav.shape[-1]
        if short > 0:   # tile very short waves, as the authors' evaluation padding does
            wav = wav.repeat(1, -(-self.min_samples() // wav.shape[-1]))[:, :self.min_samples()]
        x = F.conv1d(wav.unsqueeze(1).to(self.sinc.dtype), self._filters()).unsqueeze(1)
        x = self.selu(self.first_bn(F.max_pool2d(x.abs(), (3, 3))))
        e = self.encoder(x).abs()                             # (B, C, n_sinc / 3, T)
        e_s = e.amax(dim=3).transpose(1, 2) + self.pos_S      # spectral nodes
        e_t = e.amax(dim=2).transpose(1, 2)                   # temporal nodes
        return self.graph_logits(e_s, e_t)


def build_aasist(model_cfg: dict[str, Any], cfg: dict[str, Any] | None = None) -> AASIST:
    """Build from ``conf/model/aasist.yaml`` keys (the names of the authors' ``model_config``)."""
    kwargs: dict[str, Any] = {}
    for key in ("filts", "gat_dims", "pool_ratios", "temperatures"):
        if key in model_cfg:
            kwargs[key] = list(model_cfg[key])
    for key in ("first_conv", "sample_rate", "freq_mask"):
        if key in model_cfg:
            kwargs[key] = int(model_cfg[key])
    return AASIST(**kwargs)
