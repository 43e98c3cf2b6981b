"""RawNet2 baseline (ASVspoof 2021 LA/DF "RawNet2", Tak et al., ICASSP 2021).

Raw 16 kHz wave → fixed sinc-conv filterbank (``sinc_filters=20`` band-pass filters of
``sinc_length=1024`` taps (made odd: 1025), band edges equally spaced on the mel scale over
0-8 kHz, Hamming-windowed ideal band-pass, not trained) → |.|, max-pool 3, BN, SELU → 6 residual
blocks (channels ``filts`` [[20, 20], [20, 20], [20, 128], [128, 128] x 3]; each: [BN, LeakyReLU
0.3], conv3, BN, LeakyReLU, conv3, 1x1 projection if widths differ, add, max-pool 3) each followed
by filter-wise feature map scaling (FMS: s = sigmoid(Linear(avg over time)), x = x s + s) → BN,
SELU → 3-layer GRU (1024 units), last step → Linear 1024 → 1024 → L2-normalised (norm / 10, as
the 2021 code) → Linear → 2 logits. Config keys: ``sinc_filters``, ``sinc_length``, ``filts``,
``gru_node``, ``nb_gru_layer``, ``nb_fc_node``, ``sample_rate``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

BASELINE_FILTS = ((20, 20), (20, 20), (20, 128), (128, 128), (128, 128), (128, 128))


def mel_sinc_filters(n_filters: int, length: int, sr: int, single_precision: bool = False
                     ) -> torch.Tensor:
    """Fixed band-pass filters (n_filters, length|1) with mel-spaced band edges.

    ``single_precision=True`` evaluates the sinc and window in float32 with numpy, as the
    AASIST authors' front end does: the filters are then bit-identical to theirs (the float64
    bank differs by ~1e-7, enough to move released models' logits by ~5e-5)."""
    length += 1 - length % 2
    to_mel = lambda f: 2595 * math.log10(1 + f / 700)  # noqa: E731
    if single_precision:
        mels = np.linspace(to_mel(0.0), to_mel(sr / 2), n_filters + 1)
        edges = 700 * (10 ** (mels / 2595) - 1)
        t32 = np.arange(-(length - 1) / 2, (length - 1) / 2 + 1, dtype=np.float32)
        low32 = lambda f: (2 * f / sr) * np.sinc(np.float32(2 * f) * t32 / np.float32(sr))  # noqa: E731
        win32 = np.hamming(length).astype(np.float32)
        return torch.from_numpy(np.stack([win32 * (low32(hi) - low32(lo)).astype(np.float32)
                                          for lo, hi in zip(edges[:-1], edges[1:])]))
    mels = torch.linspace(to_mel(0.0), to_mel(sr / 2), n_filters + 1, dtype=torch.float64)
    edges = 700 * (10 ** (mels / 2595) - 1)
    t = torch.arange(-(length - 1) / 2, (length - 1) / 2 + 1, dtype=torch.float64)
    lowpass = lambda f: 2 * f / sr * torch.sinc(2 * f * t / sr)  # noqa: E731
    window = torch.hamming_window(length, periodic=False, dtype=torch.float64)
    bank = torch.stack([(lowpass(hi) - lowpass(lo)) * window for lo, hi in zip(edges[:-1], edges[1:])])
    return bank.float()


class ResBlockFMS(nn.Module):
    """1-D residual block, max-pool 3, then filter-wise feature map scaling."""

    def __init__(self, in_ch: int, out_ch: int, first: bool = False) -> None:
        super().__init__()
        self.pre = nn.Identity() if first else nn.Sequential(nn.BatchNorm1d(in_ch), nn.LeakyReLU(0.3))
        self.conv1 = nn.Conv1d(in_ch, out_ch, 3, padding=1)
        self.mid = nn.Sequential(nn.BatchNorm1d(out_ch), nn.LeakyReLU(0.3))
        self.conv2 = nn.Conv1d(out_ch, out_ch, 3, padding=1)
        self.proj = nn.Conv1d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()
        self.pool = nn.MaxPool1d(3)
        self.fms = nn.Linear(out_ch, out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(self.mid(self.conv1(self.pre(x)))) + self.proj(x)
        out = self.pool(out)
        scale = torch.sigmoid(self.fms(out.mean(dim=-1))).unsqueeze(-1)
        return out * scale + scale


class RawNet2(nn.Module):
    inputs = ("wav",)

    def __init__(self, sinc_filters: int = 20, sinc_length: int = 1024,
                 filts: tuple[tuple[int, int], ...] = BASELINE_FILTS, gru_node: int = 1024,
                 nb_gru_layer: int = 3, nb_fc_node: int = 1024, sample_rate: int = 16000) -> None:
        super().__init__()
        self.register_buffer("sinc", mel_sinc_filters(sinc_filters, sinc_length, sample_rate).unsqueeze(1))
        self.first = nn.Sequential(nn.BatchNorm1d(sinc_filters), nn.SELU())
        if filts[0][0] != sinc_filters:
            raise ValueError("rawnet2: filts[0][0] must equal sinc_filters")
        self.blocks = nn.Sequential(*[ResBlockFMS(i, o, first=(n == 0)) for n, (i, o) in enumerate(filts)])
        self.pre_gru = nn.Sequential(nn.BatchNorm1d(filts[-1][1]), nn.SELU())
        self.gru = nn.GRU(filts[-1][1], gru_node, nb_gru_layer, batch_first=True)
        self.fc1 = nn.Linear(gru_node, nb_fc_node)
        self.fc2 = nn.Linear(nb_fc_node, 2)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        wav = batch["wav"]
        min_len = self.sinc.shape[-1] - 1 + 3 ** (1 + len(self.blocks))    # one frame left after 7 pools
        wav = nn.functional.pad(wav, (0, max(0, min_len - wav.shape[-1])))  # very short waves
        x = nn.functional.conv1d(wav.unsqueeze(1), self.sinc)
        x = self.first(nn.functional.max_pool1d(x.abs(), 3))
        x = self.pre_gru(self.blocks(x))
        x = self.gru(x.transpose(1, 2))[0][:, -1]
        code = self.fc1(x)
        code = code / (code.norm(p=2, dim=1, keepdim=True) / 10.0).clamp_min(1e-8)
        return self.fc2(code)


def build_rawnet2(model_cfg: dict[str, Any], cfg: dict[str, Any] | None = None) -> RawNet2:
    filts = tuple(tuple(int(v) for v in pair) for pair in model_cfg.get("filts", BASELINE_FILTS))
    return RawNet2(sinc_filters=int(model_cfg.get("sinc_filters", 20)),
                   sinc_length=int(model_cfg.get("sinc_length", 1024)), filts=filts,
                   gru_node=int(model_cfg.get("gru_node", 1024)),
                   nb_gru_layer=int(model_cfg.get("nb_gru_layer", 3)),
                   nb_fc_node=int(model_cfg.get("nb_fc_node", 1024)),
                   sample_rate=int(model_cfg.get("sample_rate", 16000)))
