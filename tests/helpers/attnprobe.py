"""A tiny self-attention model for the long-audio tests (``model.name: helpers.attnprobe:build``):
full self-attention over the log-mel frames, recording the longest sequence and the largest
batch it was given, so a test can prove memory does not grow with the file's length."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import torch
from torch import nn

from spoofcm.train import checkpoint as ckpt

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


def probe_exp(exp: Path, crop_seconds: float = 1.0) -> None:
    cfg = {"model": {"name": "helpers.attnprobe:build", "inputs": ["logmel"]},
           "ssl": {"cache": False}, "train": {"crop_seconds": crop_seconds, "seed": 0}}
    torch.manual_seed(0)
    exp.mkdir(parents=True)
    ckpt.save({"model": build({}, cfg).state_dict(), "config": cfg, "epoch": 1},
              exp / "best.pt")
    (exp / "threshold.json").write_text(json.dumps({"threshold": 0.0}))


def noise(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal(int(16000 * seconds))).astype(np.float32)
