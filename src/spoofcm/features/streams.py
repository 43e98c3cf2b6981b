"""A model's input streams computed from waveforms, exactly as stages 1-2 store them.

One definition serves the stage-1/2 dumps, stage 4 without a cache and ``spoofcm-score``, so
that a score from audio and a score from the cache differ by nothing but the float16 rounding
of SSL features batched differently. SSL features are extracted in batches of similar length
(:func:`plan_batches`) and rounded to float16, as the cache stores them.
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.ssl.layers import parse_layers

SAMPLE_RATE = 16000


def plan_batches(lengths: Sequence[int], max_samples: int, exact: bool = False) -> list[list[int]]:
    """Indices grouped into batches of similar length whose padded size fits ``max_samples``.

    A single utterance longer than the budget still forms its own batch. With ``exact``, a
    batch only holds utterances of one length (group-norm extractors are not padding-invariant).
    """
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    for i in order:
        cur = batches[-1] if batches else None
        fits = cur is not None and (len(cur) + 1) * lengths[i] <= max_samples
        if fits and exact:
            fits = lengths[cur[0]] == lengths[i]
        if fits:
            cur.append(i)
        else:
            batches.append([i])
    return batches


def to_float16(feats: torch.Tensor, name: str) -> np.ndarray:
    """SSL features as the cache stores them; overflow is an error naming the utterance."""
    arr = feats.float().cpu().numpy().astype(np.float16)
    if not np.all(np.isfinite(arr)):
        raise SpoofcmError(f"utterance '{name}': SSL features overflow float16 or are not finite")
    return arr


class SSLFeatures:
    """Frozen SSL encoder + layer choice: ``batch(names, waves)`` -> float16 matrices."""

    def __init__(self, encoder: Any, layers: Any, device: torch.device):
        self.encoder = encoder.to(device).eval()
        self.layers = parse_layers(layers)
        self.device = device

    @property
    def exact(self) -> bool:
        return self.encoder.config.feat_extract_norm != "layer"

    @property
    def dim(self) -> int:
        return int(self.encoder.config.hidden_size)

    def check_length(self, name: str, num_samples: int) -> None:
        from spoofcm.ssl.extract import num_frames
        if num_frames(self.encoder, num_samples) < 1:
            raise SpoofcmError(f"{name}: {num_samples} samples, shorter than one wav2vec 2.0 "
                               "frame (400 samples at 16 kHz)")

    def batch(self, names: Sequence[str], waves: Sequence[np.ndarray]) -> list[np.ndarray]:
        from spoofcm.ssl.extract import extract_list
        for n, w in zip(names, waves):
            self.check_length(n, len(w))
        with torch.inference_mode():
            feats = extract_list(self.encoder, list(waves), self.layers)
        return [to_float16(f, n) for n, f in zip(names, feats)]


def load_ssl_features(cfg: dict[str, Any], device: torch.device, trust: bool = False,
                      checkpoint: str | None = None) -> SSLFeatures:
    """The SSL front end named by ``cfg['ssl']`` (``checkpoint`` overrides its path)."""
    from spoofcm.ssl import load
    ssl_cfg = cfg["ssl"]
    path = checkpoint or str(ssl_cfg.get("checkpoint") or "")
    return SSLFeatures(load(path, trust or bool(ssl_cfg.get("trust_checkpoint"))),
                       ssl_cfg.get("layers", [-1]), device)


def compute_streams(inputs: Sequence[str], names: Sequence[str], waves: Sequence[np.ndarray],
                    ssl: SSLFeatures | None) -> list[dict[str, np.ndarray]]:
    """Every stream of ``inputs`` for a batch of waveforms (float32; SSL float16-rounded)."""
    from spoofcm.features.logmel import logmel
    out: list[dict[str, np.ndarray]] = [{} for _ in waves]
    for item, wave in zip(out, waves):
        if "wav" in inputs:
            item["wav"] = np.asarray(wave, dtype=np.float32)
        if "logmel" in inputs:
            item["logmel"] = logmel(wave).numpy()
    if "ssl" in inputs:
        if ssl is None:
            raise SpoofcmError("the model reads SSL features but no SSL front end was loaded")
        for item, feats in zip(out, ssl.batch(names, waves)):
            item["ssl"] = feats.astype(np.float32)
    return out


def batched(names: Sequence[str], lengths: Sequence[int], batch_seconds: float,
            exact: bool = False) -> Iterator[list[int]]:
    """Indices of ``names`` in batches of similar length (``batch_seconds`` of padded audio)."""
    yield from plan_batches(list(lengths), int(batch_seconds * SAMPLE_RATE), exact=exact)
