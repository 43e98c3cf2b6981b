"""Output heads shared by the neural models."""
from __future__ import annotations

import torch


def one_logit_as_two(z: torch.Tensor) -> torch.Tensor:
    """(B, 1) → (B, 2) logits ``[0, z]`` for a model with one sigmoid output.

    Why: softmax cross-entropy over ``[0, z]`` equals binary cross-entropy of ``sigmoid(z)``
    (``softmax([0, z])[1] = sigmoid(z)``) and ``logit[1] - logit[0] = z`` is the one-output
    model's own score, so the trainer, scoring and EER thresholds treat one- and two-logit
    models alike without a special case."""
    return torch.cat([torch.zeros_like(z), z], dim=-1)
