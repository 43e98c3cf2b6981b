"""The exported network: waveform windows → bona fide scores, front ends included.

:class:`Detector` wraps a trained back end with the front ends stages 1–2 computed for it,
run on each window: log-mel (:func:`spoofcm.features.logmel.logmel`), the frozen SSL encoder
(:func:`spoofcm.ssl.extract`, its unused upper layers dropped, features rounded to float16 as
the training cache stored them) and the raw wave. The streams are aligned as
:func:`spoofcm.data.dataset.align` aligns a full utterance, so a file exactly one window long
gets the score ``spoofcm-score`` gives it. Models that hold their own encoder (SSL-AASIST) or
front end (LFCC) carry it inside the back end already.
"""
from __future__ import annotations

import os
from typing import Any

import torch
from torch import nn

from spoofcm.data.dataset import SAMPLE_RATE, UNIT_RATE, UNIT_SAMPLES, crop_units
from spoofcm.errors import SpoofcmError


def align_batch(streams: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """:func:`spoofcm.data.dataset.align` on batched tensors (time on axis 1)."""
    if len(streams) == 1:
        return streams
    streams = dict(streams)
    if "ssl" in streams and "logmel" in streams and \
            streams["logmel"].shape[1] == 2 * streams["ssl"].shape[1] - 1:
        lm = streams["logmel"]
        streams["logmel"] = torch.cat([lm, lm[:, -1:]], dim=1)
    units = min(x.shape[1] // UNIT_RATE[k] for k, x in streams.items())
    if units <= 0:
        raise SpoofcmError(f"window too short for one {UNIT_SAMPLES}-sample unit")
    return {k: x[:, :units * UNIT_RATE[k]] for k, x in streams.items()}


class Detector(nn.Module):
    """``(B, W)`` float32 windows at 16 kHz → ``(B,)`` scores ``logit[1] - logit[0]``."""

    def __init__(self, backend: nn.Module, inputs: tuple[str, ...], window: int,
                 ssl: nn.Module | None = None, ssl_layers: list[int] | None = None) -> None:
        super().__init__()
        unknown = set(inputs) - set(UNIT_RATE)
        if unknown:
            raise SpoofcmError(f"model inputs {sorted(unknown)} cannot be computed from a waveform")
        if "ssl" in inputs and ssl is None:
            raise SpoofcmError("the model reads SSL features but no SSL encoder was given")
        self.backend = backend
        self.inputs = tuple(inputs)
        self.window = int(window)
        self.ssl = ssl
        self.ssl_layers = list(ssl_layers or [-1])

    def streams(self, wave: torch.Tensor) -> dict[str, torch.Tensor]:
        """The model's input streams for a batch of windows, aligned."""
        out: dict[str, torch.Tensor] = {}
        if "wav" in self.inputs:
            out["wav"] = wave
        if "logmel" in self.inputs:
            from spoofcm.features.logmel import logmel
            out["logmel"] = logmel(wave)
        if self.ssl is not None and "ssl" in self.inputs:
            from spoofcm.ssl import extract
            feats = extract(self.ssl, wave, self.ssl_layers)
            out["ssl"] = feats.float().half().float()  # as the float16 training cache
        return align_batch(out)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        logits = self.backend(self.streams(wave)).float()
        return logits[:, 1] - logits[:, 0]


def _frozen_encoder(cfg: dict[str, Any], trust: bool) -> tuple[nn.Module, list[int]]:
    """The SSL encoder named in the config, cut above the highest layer the model reads."""
    from spoofcm.ssl import load, parse_layers, resolve_layers
    ssl_cfg = cfg.get("ssl") or {}
    layers = ssl_cfg.get("layers", [-1])
    layers = parse_layers(layers) if isinstance(layers, str) else [int(v) for v in layers]
    encoder = load(str(ssl_cfg.get("checkpoint") or ""), trust)
    keep = max(resolve_layers(layers, encoder.config.num_hidden_layers)) + 1
    if keep < len(encoder.encoder.layers):  # what extract() skips at inference, dropped for good
        encoder.encoder.layers = encoder.encoder.layers[:keep]
    return encoder.eval(), layers


def window_samples(cfg: dict[str, Any], window_seconds: float | None) -> int:
    """Window length in samples: ``window_seconds``, else the training crop, in whole units."""
    seconds = window_seconds if window_seconds is not None else \
        float((cfg.get("train") or {}).get("crop_seconds", 4.0))
    return crop_units(seconds) * UNIT_SAMPLES


def build_detector(exp: str | os.PathLike, checkpoint: str = "best.pt", trust: bool = False,
                   window_seconds: float | None = None) -> tuple[Detector, dict[str, Any]]:
    """The :class:`Detector` of a trained experiment (eval mode, CPU) and its config."""
    from spoofcm.infer.load import load_exp_model
    model, cfg = load_exp_model(exp, checkpoint, trust, "cpu")
    name = (cfg.get("model") or {}).get("name")
    if not isinstance(model, nn.Module) or getattr(model, "is_neural", True) is False:
        raise SpoofcmError(f"{exp}: model '{name}' is not a neural network (GMM systems score "
                           f"with spoofcm-score --exp); nothing to export")
    inputs = tuple(getattr(model, "inputs", ()) or ())
    if not inputs:
        raise SpoofcmError(f"{exp}: model '{name}' declares no inputs")
    ssl, layers = (_frozen_encoder(cfg, trust) if "ssl" in inputs else (None, None))
    det = Detector(model, inputs, window_samples(cfg, window_seconds), ssl, layers)
    det.requires_grad_(False)
    return det.eval(), cfg


__all__ = ["Detector", "align_batch", "build_detector", "window_samples", "SAMPLE_RATE"]
