"""On-the-fly waveform augmentation selected by the ``augment:`` config section.

``augment: {rawboost: <0-8 or {algo: N, <RawBoostParams field>: value, ...}>,
codec: {prob: p, types: [mulaw, alaw, gsm, mp3, ogg, opus, bandlimit]}}``.
:func:`build_augment` returns ``f(wave, rng) -> wave``: RawBoost first (the SSL-AASIST recipe's
per-utterance augmentation), then, with probability ``prob``, one codec drawn uniformly from
``types``. Every random choice comes from ``rng``, so data-loader workers seeded per epoch and
worker reproduce their augmentations exactly.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from spoofcm.data.codec_aug import CODECS, apply_codec
from spoofcm.data.rawboost import RawBoostParams, rawboost
from spoofcm.errors import SpoofcmError

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _rawboost_cfg(value: Any) -> tuple[int, RawBoostParams]:
    if value is None or value is False:
        return 0, RawBoostParams()
    if isinstance(value, dict):
        params = dict(value)
        algo = params.pop("algo", 0)
        prm = RawBoostParams.from_dict(params)
    else:
        algo, prm = value, RawBoostParams()
    if isinstance(algo, bool) or not isinstance(algo, int) or not 0 <= algo <= 8:
        raise SpoofcmError(f"augment.rawboost: algorithm must be an integer 0-8, got {algo!r}")
    return algo, prm


def _codec_cfg(value: Any) -> tuple[float, list[str]]:
    if not value:
        return 0.0, []
    if not isinstance(value, dict):
        raise SpoofcmError("augment.codec must be a mapping {prob: p, types: [...]}")
    prob = float(value.get("prob", 0.0))
    types = list(value.get("types", []) or [])
    if not 0.0 <= prob <= 1.0:
        raise SpoofcmError(f"augment.codec.prob must lie in [0, 1], got {prob}")
    bad = [t for t in types if t not in CODECS]
    if bad:
        raise SpoofcmError(f"augment.codec.types: unknown {bad}; choose from {', '.join(CODECS)}")
    if prob > 0 and not types:
        raise SpoofcmError("augment.codec.prob > 0 needs a non-empty augment.codec.types")
    return prob, types


def build_augment(aug_cfg: dict[str, Any] | None, sr: int = 16000) -> Augment:
    """Turn the ``augment:`` section into a seeded waveform transform (identity when empty)."""
    aug_cfg = aug_cfg or {}
    unknown = set(aug_cfg) - {"rawboost", "codec"}
    if unknown:
        raise SpoofcmError(f"augment: unknown key(s) {sorted(unknown)}; known: codec, rawboost")
    algo, prm = _rawboost_cfg(aug_cfg.get("rawboost"))
    prob, types = _codec_cfg(aug_cfg.get("codec"))

    def augment(wave: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        out = np.asarray(wave, dtype=np.float32)
        if algo:
            out = rawboost(out, algo, rng, prm, sr)
        if prob > 0 and rng.random() < prob:
            out = apply_codec(out, types[int(rng.integers(len(types)))], rng, sr)
        return out

    return augment
