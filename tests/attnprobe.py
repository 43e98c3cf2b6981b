"""A tiny self-attention model for the long-audio tests (``model.name: attnprobe:build``):
full self-attention over the log-mel frames, recording the longest sequence and the largest
batch it was given, so a test can prove memory does not grow with the file's length."""
from __future__ import annotations

import torch
from torch import nn

SEEN = {"frames": 0, "batch": 0, "calls": 0}


class AttnProbe(nn.Module):
    inputs = ("logmel",)

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(128, 8)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.out = nn.Linear(8, 2)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        x = self.proj(batch["logmel"].float())
        SEEN["frames"] = max(SEEN["frames"], x.shape[1])
        SEEN["batch"] = max(SEEN["batch"], x.shape[0])
        SEEN["calls"] += 1
        h, _ = self.attn(x, x, x, need_weights=False)
        return self.out(h.mean(dim=1))


def build(model_cfg: dict, cfg: dict) -> AttnProbe:
    return AttnProbe()
