"""How an experiment turns one utterance into one score at test time (spoofcm-score and
spoofcm-infer): which part of the waveform the model sees, and which function of its logits
is the score.

Modes (``infer.mode`` in the experiment's config, overridden by ``--mode`` /
``--window-seconds``):
- ``full`` (default): the whole utterance in one pass;
- ``windowed``: the mean logits of fixed windows (``--window-seconds``);
- ``official_crop``: the AASIST authors' evaluation rule: the first ``infer.crop_samples``
  (64,600) samples, or the waveform tiled (``np.tile``) to that length and cut when shorter.

Score conventions (``infer.score``): ``log_odds`` = logit[1] − logit[0] (the project's), or
``bonafide_logit`` = logit[1], the score the AASIST authors' evaluation writes, so an imported
release reproduces their score files. Higher = more bona fide in both.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch

from spoofcm.errors import SpoofcmError

MODES = ("full", "windowed", "official_crop")
SCORES = ("log_odds", "bonafide_logit")
OFFICIAL_CROP_SAMPLES = 64600


@dataclass(frozen=True)
class InferMode:
    """One resolved scoring rule."""
    name: str = "full"
    window_units: int | None = None
    crop_samples: int | None = None
    score: str = "log_odds"

    @property
    def is_default(self) -> bool:
        """True when the generic scoring path (full or windowed, log-odds) gives the same."""
        return self.name != "official_crop" and self.score == "log_odds"

    def describe(self) -> str:
        what = {"full": "full utterance",
                "windowed": f"mean of {self.window_units}-unit windows",
                "official_crop": f"official crop: first {self.crop_samples} samples, tiled "
                                 f"when shorter"}[self.name]
        score = ("log-odds logit[1]-logit[0]" if self.score == "log_odds"
                 else "bona fide logit[1] (the authors' convention)")
        return f"{what}; score = {score}, higher = bona fide"


def resolve_mode(cfg: dict[str, Any], cli_mode: str | None = None,
                 window_seconds: float | None = None) -> InferMode:
    """The rule for an experiment: command line first, then its ``infer:`` config section."""
    from spoofcm.data.dataset import crop_units

    infer = cfg.get("infer") or {}
    if not isinstance(infer, dict):
        raise SpoofcmError(f"infer: must be a mapping, got {infer!r}")
    name = cli_mode or ("windowed" if window_seconds else str(infer.get("mode", "full")))
    if name not in MODES:
        raise SpoofcmError(f"infer.mode '{name}': choose one of {', '.join(MODES)}")
    score = str(infer.get("score", "log_odds"))
    if score not in SCORES:
        raise SpoofcmError(f"infer.score '{score}': choose one of {', '.join(SCORES)}")
    if name == "windowed":
        seconds = window_seconds or infer.get("window_seconds")
        if not seconds:
            raise SpoofcmError("windowed scoring needs --window-seconds")
        return InferMode(name, window_units=crop_units(float(seconds)), score=score)
    if name == "official_crop":
        samples = int(infer.get("crop_samples", OFFICIAL_CROP_SAMPLES))
        if samples <= 0:
            raise SpoofcmError(f"infer.crop_samples must be positive, got {samples}")
        return InferMode(name, crop_samples=samples, score=score)
    return InferMode(name, score=score)


def official_crop(wave: np.ndarray, samples: int = OFFICIAL_CROP_SAMPLES) -> np.ndarray:
    """The first ``samples`` samples; a shorter wave is repeated whole until it reaches them."""
    wave = np.asarray(wave)
    if len(wave) == 0:
        raise SpoofcmError("cannot crop an empty waveform")
    if len(wave) >= samples:
        return wave[:samples]
    return np.tile(wave, samples // len(wave) + 1)[:samples]


def logits_to_score(logits: torch.Tensor, kind: str = "log_odds") -> torch.Tensor:
    """(B, 2) logits → (B,) scores in the given convention."""
    logits = logits.float()
    return logits[:, 1] if kind == "bonafide_logit" else logits[:, 1] - logits[:, 0]


def mode_parts(streams: dict[str, np.ndarray], mode: InferMode) -> list[dict[str, np.ndarray]]:
    """The model inputs one utterance is scored on (their logits are averaged)."""
    from spoofcm.data.dataset import align, windows

    if mode.name == "official_crop":
        if set(streams) != {"wav"}:
            raise SpoofcmError(f"infer.mode official_crop needs a raw-waveform model; this one "
                               f"reads {sorted(streams)}")
        return [{"wav": official_crop(streams["wav"], mode.crop_samples or OFFICIAL_CROP_SAMPLES)}]
    if mode.name == "windowed" and mode.window_units:
        return windows(streams, mode.window_units)
    return [align(streams)]


@torch.no_grad()
def score_streams(model: Any, streams: dict[str, np.ndarray], device: Any, mode: InferMode) -> float:
    """One utterance's input streams → its score under ``mode``."""
    parts = mode_parts(streams, mode)
    batch = {k: torch.stack([torch.from_numpy(np.ascontiguousarray(p[k], dtype=np.float32))
                             for p in parts]).to(device) for k in parts[0]}
    model.eval()
    logits = model(batch).float().mean(dim=0, keepdim=True)
    return float(logits_to_score(logits, mode.score)[0])


def score_dataset(model: Any, ds: Any, device: Any, mode: InferMode,
                  utts: Sequence[str] | None = None, batch_size: int = 8
                  ) -> tuple[list[str], list[float]]:
    """Score the utterances of a :class:`~spoofcm.data.dataset.StreamDataset` under ``mode``.
    Official crops all have one length, so they go through the model ``batch_size`` at a time."""
    names = list(utts if utts is not None else ds.utts)
    if mode.name != "official_crop":
        return names, [score_streams(model, ds.read_streams(u), device, mode) for u in names]
    model.eval()
    scores: list[float] = []
    for start in range(0, len(names), batch_size):
        waves = [mode_parts(ds.read_streams(u), mode)[0]["wav"] for u in names[start:start + batch_size]]
        with torch.no_grad():
            logits = model({"wav": torch.from_numpy(np.stack(waves).astype(np.float32)).to(device)})
        scores += logits_to_score(logits, mode.score).tolist()
    return names, scores
