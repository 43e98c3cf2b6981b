"""Checking that a foreign state dict fits a model before loading it.

``load_state_dict`` reports mismatches as a long multi-line RuntimeError; importers of foreign
checkpoints (fairseq, SSL-AASIST) call this first so users get one line naming the source.
"""
from __future__ import annotations

from typing import Mapping

import torch

from spoofcm.errors import SpoofcmError


def check_fits(state: Mapping[str, torch.Tensor], expected: Mapping[str, torch.Tensor],
               what: str, shown: int = 4) -> None:
    """Raise SpoofcmError when keys or shapes of ``state`` differ from ``expected``."""
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        raise SpoofcmError(f"{what} do not fit the model (missing {missing[:shown]}, "
                           f"unexpected {extra[:shown]})")
    for key, value in state.items():
        if tuple(value.shape) != tuple(expected[key].shape):
            raise SpoofcmError(f"{what}: '{key}' has shape {tuple(value.shape)}, the model "
                               f"expects {tuple(expected[key].shape)}")
