"""A trained experiment back in memory: ``exp/<tag>/best.pt`` (weights + the resolved config it
was trained with) rebuilt into its model, for stage 4, ``spoofcm-score`` and exports."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from spoofcm.errors import SpoofcmError
from spoofcm.infer.ssl_path import missing_ssl_error, with_ssl_checkpoint
from spoofcm.models.registry import build_model
from spoofcm.schema import resolve
from spoofcm.statedict import check_fits
from spoofcm.train.checkpoint import load


def load_exp_model(exp: str | os.PathLike, checkpoint: str = "best.pt", trust: bool = False,
                   device: str | torch.device = "cpu", ssl_checkpoint: str | None = None
                   ) -> tuple[Any, dict[str, Any]]:
    """Rebuild a trained model from ``exp/<tag>/<checkpoint>``; returns (model, config).

    The SSL checkpoint is ``ssl_checkpoint`` (``--ssl-checkpoint``: it moved since training),
    else ``ssl.checkpoint`` of ``exp/<tag>/config.yaml``, else the one recorded in the
    checkpoint (:mod:`spoofcm.infer.ssl_path`).
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
    cfg = with_ssl_checkpoint(exp, cfg, ssl_checkpoint)
    if "model" not in state:
        raise SpoofcmError(f"{path}: checkpoint carries no model weights")
    try:
        model = build_model(cfg)
    except SpoofcmError as exc:
        raise missing_ssl_error(exc) from None
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


def load_frontend(model: Any, cfg: dict[str, Any], device: torch.device, trust: bool = False) -> Any:
    """The frozen SSL front end a model scored from audio needs (None if it reads no SSL
    stream); ``cfg`` is the one :func:`load_exp_model` returned, so the SSL checkpoint follows
    the same rule, and a missing file gets the hint how to point the experiment at it."""
    if getattr(model, "is_neural", True) is False or "ssl" not in tuple(model.inputs):
        return None
    from spoofcm.features.streams import load_ssl_features
    try:
        return load_ssl_features(cfg, device, trust)
    except SpoofcmError as exc:
        raise missing_ssl_error(exc) from None
