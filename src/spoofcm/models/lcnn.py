"""LFCC-LCNN baseline (ASVspoof 2021 LA/DF "LFCC-LCNN"): light CNN with max-feature-map (MFM)
activations, a two-layer BiLSTM back end and average pooling.

Layout (as the 2021 baseline): LFCC (60-d, the organisers' front end, named configuration
``lfcc_lcnn_2021`` = :data:`spoofcm.features.lfcc.LFCC_LCNN_2021`) computed inside the model from
the raw wave → 9 conv layers (5x5, 1x1, 3x3, ... each followed by
MFM that halves the channels; 4 max-pools 2x2; batch norms without affine parameters) with
dropout 0.7 → frames of (channels x freq/16) = 32 x 3 = 96 dims → 2 BiLSTM layers (96 → 96,
48 units per direction) whose output is added to their input, averaged over time → Linear → one
output ``z``, as the baseline (a sigmoid output trained with binary cross-entropy).

One-logit head: ``forward`` returns the two logits ``[0, z]`` (:func:`one_logit_as_two`), so the
trainer's softmax cross-entropy over them is exactly the baseline's ``BCE(sigmoid(z), y)`` and the
score ``logit[1] - logit[0]`` is ``z``, the baseline's pre-sigmoid score (higher = bona fide);
training, scoring and thresholds need no special case. ``head: two_logit`` restores spoofcm's
earlier two-unit output layer.
Config: ``channels`` (conv widths before MFM, baseline [64, 64, 96, 96, 128, 128, 64, 64, 64]),
``dropout`` (0.7), ``head`` (``one_logit``, the baseline, or ``two_logit``), ``lfcc:`` front-end
parameters (:class:`spoofcm.features.lfcc.LFCC`) over the ``lfcc_lcnn_2021`` defaults.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from spoofcm.errors import SpoofcmError
from spoofcm.features.lfcc import LFCC, LFCC_LCNN_2021
from spoofcm.models.heads import one_logit_as_two

BASELINE_CHANNELS = (64, 64, 96, 96, 128, 128, 64, 64, 64)
HEADS = ("one_logit", "two_logit")


class MaxFeatureMap2D(nn.Module):
    """Split the channels in two halves and keep the element-wise maximum."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x.chunk(2, dim=1)
        return torch.maximum(a, b)


def lcnn_body(channels: tuple[int, ...], dropout: float) -> nn.Sequential:
    """The baseline's conv stack: kernels 5,1,3,1,3,1,3,1,3; pools after conv 1, 3, 5, 9."""
    kernels = (5, 1, 3, 1, 3, 1, 3, 1, 3)
    pool_after, bn_after = {0, 2, 4, 8}, {1, 2, 3, 5, 6, 7}
    layers: list[nn.Module] = []
    in_ch = 1
    for i, (k, ch) in enumerate(zip(kernels, channels)):
        layers += [nn.Conv2d(in_ch, ch, k, padding=k // 2), MaxFeatureMap2D()]
        in_ch = ch // 2
        if i in pool_after:
            layers.append(nn.MaxPool2d(2, 2))
        if i in bn_after:
            layers.append(nn.BatchNorm2d(in_ch, affine=False))
    layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class BLSTM(nn.Module):
    """Bidirectional LSTM keeping the width (hidden = dim // 2 per direction)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(dim, dim // 2, batch_first=True, bidirectional=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lstm(x)[0]


class LFCCLCNN(nn.Module):
    inputs = ("wav",)

    def __init__(self, channels: tuple[int, ...] = BASELINE_CHANNELS, dropout: float = 0.7,
                 lfcc: dict[str, Any] | None = None, head: str = "one_logit") -> None:
        super().__init__()
        if len(channels) != 9 or any(c % 2 for c in channels):
            raise ValueError("lfcc_lcnn: channels must be 9 even numbers")
        if head not in HEADS:
            raise SpoofcmError(f"lfcc_lcnn: model.head must be one of {HEADS}, got '{head}'")
        self.one_logit = head == "one_logit"
        self.frontend = LFCC(**{**LFCC_LCNN_2021, **(lfcc or {})})
        self.body = lcnn_body(tuple(channels), dropout)
        dim = (channels[-1] // 2) * (self.frontend.out_dim // 16)
        self.lstm = nn.Sequential(BLSTM(dim), BLSTM(dim))
        self.out = nn.Linear(dim, 1 if self.one_logit else 2)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        wav = batch["wav"]
        min_len = self.frontend.win_length + 15 * self.frontend.hop_length  # 16 frames: 4 pools
        wav = nn.functional.pad(wav, (0, max(0, min_len - wav.shape[-1])))  # very short waves
        feats = self.frontend(wav)                                # (B, T, 60)
        x = self.body(feats.unsqueeze(1))                         # (B, C, T/16, 60/16)
        x = x.permute(0, 2, 1, 3).flatten(2)                      # (B, T/16, C * 3)
        out = self.out((self.lstm(x) + x).mean(dim=1))
        return one_logit_as_two(out) if self.one_logit else out


def build_lfcc_lcnn(model_cfg: dict[str, Any], cfg: dict[str, Any] | None = None) -> LFCCLCNN:
    return LFCCLCNN(channels=tuple(model_cfg.get("channels", BASELINE_CHANNELS)),
                    dropout=float(model_cfg.get("dropout", 0.7)), lfcc=model_cfg.get("lfcc"),
                    head=str(model_cfg.get("head", "one_logit")))
