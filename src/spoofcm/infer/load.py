"""A trained experiment back in memory: ``exp/<tag>/best.pt`` (weights + the resolved config it
was trained with) rebuilt into its model, for stage 4, ``spoofcm-score`` and exports."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from spoofcm.errors import SpoofcmError
from spoofcm.models.registry import build_model
from spoofcm.schema import resolve
from spoofcm.statedict import check_fits
from spoofcm.train.checkpoint import load


def load_exp_model(exp: str | os.PathLike, checkpoint: str = "best.pt", trust: bool = False,
                   device: str | torch.device = "cpu", ssl_checkpoint: str | None = None
                   ) -> tuple[Any, dict[str, Any]]:
    """Rebuild a trained model from ``exp/<tag>/<checkpoint>``; returns (model, config).

    ``ssl_checkpoint`` points the experiment at an SSL checkpoint that moved since training
    (``--ssl-checkpoint``); it replaces ``ssl.checkpoint`` of the recorded config.
    """
    path = Path(exp) / checkpoint if not Path(checkpoint).is_absolute() else Path(checkpoint)
    state = load(path, trust=trust)
    cfg = state.get("config")
    if not isinstance(cfg, dict):
        raise SpoofcmError(f"{path}: checkpoint carries no config")
    try:
        cfg = resolve(cfg)
    except SpoofcmError as exc:
        raise SpoofcmError(f"{path}: its config does not fit this spoofcm ({exc})") from None
    if ssl_checkpoint:
        cfg["ssl"]["checkpoint"] = str(ssl_checkpoint)
    if "model" not in state:
        raise SpoofcmError(f"{path}: checkpoint carries no model weights")
    model = build_model(cfg)
    name = cfg["model"].get("name")
    if isinstance(model, torch.nn.Module):  # name the keys that differ, not torch's long message
        check_fits(state["model"], model.state_dict(), f"{path}: weights of '{name}'")
    try:
        model.load_state_dict(state["model"])
    except (RuntimeError, KeyError) as exc:
        raise SpoofcmError(f"{path}: weights do not fit model '{name}' "
                           f"({str(exc).splitlines()[0]})") from None
    if isinstance(model, torch.nn.Module):
        model.to(device).eval()
    return model, cfg
