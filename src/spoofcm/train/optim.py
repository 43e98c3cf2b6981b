"""Adam with optional per-module learning rates, and an optional learning-rate schedule.

Paper defaults (as SSL-AASIST): Adam, lr 1e-6, weight decay 1e-4. ``train.lr_groups`` maps a
parameter-name prefix (a submodule, e.g. ``ssl``) to its own learning rate; the special key
``backend`` takes every parameter no other prefix matched. This serves a frozen or slowly
fine-tuned SSL encoder beside a back end that learns faster.
"""
from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from spoofcm.errors import SpoofcmError

REST = "backend"


def param_groups(model: nn.Module, lr: float, weight_decay: float,
                 lr_groups: dict[str, float] | None) -> list[dict[str, Any]]:
    """Split trainable parameters by name prefix; unmatched ones get ``lr_groups['backend']``
    (or ``lr``). The longest matching prefix wins."""
    lr_groups = dict(lr_groups or {})
    prefixes = sorted((k for k in lr_groups if k != REST), key=len, reverse=True)
    groups: dict[str, list[nn.Parameter]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        key = next((p for p in prefixes if name == p or name.startswith(p + ".")), REST)
        groups.setdefault(key, []).append(param)
    unused = [p for p in prefixes if p not in groups]
    if unused:
        names = sorted({n.split(".")[0] for n, _ in model.named_parameters()})
        raise SpoofcmError(f"train.lr_groups: no trainable parameters under {unused} "
                           f"(top-level modules: {names})")
    return [{"params": params, "lr": float(lr_groups.get(key, lr)),
             "weight_decay": float(weight_decay), "name": key}
            for key, params in sorted(groups.items())]


def build_optimizer(model: nn.Module, train_cfg: dict[str, Any]) -> torch.optim.Optimizer:
    """Adam over the model's trainable parameters (``train.lr``, ``weight_decay``,
    ``lr_groups``, ``betas``)."""
    groups = param_groups(model, float(train_cfg["lr"]),
                          float(train_cfg["weight_decay"]),
                          train_cfg["lr_groups"])
    if not groups:
        raise SpoofcmError("the model has no trainable parameters")
    betas = tuple(float(b) for b in train_cfg["betas"])
    return torch.optim.Adam(groups, betas=betas)  # type: ignore[arg-type]


def build_scheduler(optimizer: torch.optim.Optimizer, train_cfg: dict[str, Any],
                    steps_per_epoch: int) -> torch.optim.lr_scheduler.LRScheduler | None:
    """Per-step schedule from ``train.scheduler``: ``none`` (paper), ``cosine`` (linear
    warm-up of ``warmup_steps`` then cosine to 0 over ``max_epochs``) or ``step``
    (multiply by ``gamma`` every ``step_epochs``)."""
    kind = str(train_cfg["scheduler"] or "none").lower()
    if kind == "none":
        return None
    total = max(1, steps_per_epoch * int(train_cfg["max_epochs"]))
    if kind == "cosine":
        warmup = int(train_cfg["warmup_steps"])

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            progress = min(1.0, (step - warmup) / max(1, total - warmup))
            return 0.5 * (1.0 + math.cos(math.pi * progress))
        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    if kind == "step":
        every = max(1, steps_per_epoch * int(train_cfg["step_epochs"]))
        return torch.optim.lr_scheduler.StepLR(optimizer, every, float(train_cfg["gamma"]))
    raise SpoofcmError(f"train.scheduler: unknown '{kind}' (none, cosine or step)")
