"""``train.init_from: exp/<tag>``: start training from another experiment's weights (fine-tuning
an imported AASIST release, or continuing a model on a new corpus), instead of a random init.

Only the model weights are taken (``best.pt``); the optimiser, schedule and epoch count start
afresh. The weights must fit the model being trained key for key and shape for shape, so the
training config must describe the same architecture as the source's ``config.yaml``.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch

from spoofcm.errors import SpoofcmError
from spoofcm.statedict import check_fits


def init_path(source: str | os.PathLike) -> Path:
    """``best.pt`` of an experiment dir, or the checkpoint file itself."""
    path = Path(source)
    return path / "best.pt" if path.is_dir() else path


def load_init_weights(model: torch.nn.Module, source: str | os.PathLike, trust: bool = False) -> str:
    """Load ``source``'s model weights into ``model`` (fit-checked); returns a log line."""
    from spoofcm.train import checkpoint as ckpt

    path = init_path(source)
    if not path.is_file():
        raise SpoofcmError(f"train.init_from: {path} not found (give an experiment dir with best.pt)")
    state = ckpt.load(path, trust=trust)
    weights = state.get("model")
    if not isinstance(weights, dict):
        raise SpoofcmError(f"train.init_from: {path} carries no model weights")
    name = (state.get("config") or {}).get("model", {}).get("name", "?")
    check_fits(weights, model.state_dict(),
               f"train.init_from: {path} (model '{name}'; train with the same model config)")
    model.load_state_dict(weights, strict=True)
    return f"initialised from {path} ({len(weights)} tensors)"
