"""Training and scoring datasets: aligned feature streams read from a data dir and dump dir.

A model names the streams it needs (``wav``, ``logmel``, ``ssl``). All streams are cut at the
SAME instant: time is counted in *units* of 320 samples (one wav2vec 2.0 frame, 20 ms), which
is two log-mel frames (hop 160) and 320 samples. A crop of ``crop_seconds`` is therefore
``50·s`` SSL frames, ``100·s`` log-mel frames and ``16000·s`` samples starting at unit ``s0``
(SSL frame ``s0``, log-mel frame ``2·s0``, sample ``320·s0``). Utterances shorter than a crop
are repeat-padded: each stream's first ``U`` units are tiled, so the tiles line up across
streams. Crop randomness comes from ``(seed, epoch, index)`` alone, so a run gives the same
crops with any number of DataLoader workers or DDP ranks, and ``--resume`` is bit-for-bit.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from spoofcm.data.datadir import DataDir, load_data_dir
from spoofcm.data.scp import check_scp, load_scp
from spoofcm.errors import SpoofcmError
from spoofcm.labels import CLASS_INDEX

SAMPLE_RATE = 16000
UNIT_SAMPLES = 320  # one SSL frame
#: stream -> how many of its frames (or samples) make one unit
UNIT_RATE = {"ssl": 1, "logmel": 2, "wav": UNIT_SAMPLES}
STREAMS = tuple(UNIT_RATE)


def crop_units(crop_seconds: float) -> int:
    """Crop length in units (SSL frames): 4 s -> 200."""
    units = int(round(crop_seconds * SAMPLE_RATE / UNIT_SAMPLES))
    if units <= 0:
        raise SpoofcmError(f"train.crop_seconds must be positive, got {crop_seconds}")
    return units


def num_units(streams: dict[str, np.ndarray]) -> int:
    """Units every stream covers in full (the shortest stream decides)."""
    units = min(len(x) // UNIT_RATE[name] for name, x in streams.items())
    if units <= 0:
        shapes = {k: tuple(v.shape) for k, v in streams.items()}
        raise SpoofcmError(f"utterance too short for one {UNIT_SAMPLES}-sample unit: {shapes}")
    return units


def tile_to(x: np.ndarray, length: int) -> np.ndarray:
    """Repeat ``x`` along its first axis until it is exactly ``length`` long."""
    reps = math.ceil(length / len(x))
    return np.concatenate([x] * reps, axis=0)[:length] if reps > 1 else x[:length]


def cut(streams: dict[str, np.ndarray], start: int, units: int) -> dict[str, np.ndarray]:
    """Cut ``units`` units from unit ``start`` of every stream, repeat-padding short ones.

    ``start + units`` may exceed the utterance: then the utterance's whole common span
    (``num_units``) is tiled first, identically in every stream.
    """
    total = num_units(streams)
    out = {}
    for name, x in streams.items():
        r = UNIT_RATE[name]
        span = x[: total * r]
        if start + units > total:
            span = tile_to(span, (start + units) * r)
        out[name] = np.ascontiguousarray(span[start * r:(start + units) * r])
    return out


def random_crop(streams: dict[str, np.ndarray], units: int,
                rng: np.random.Generator) -> tuple[dict[str, np.ndarray], int]:
    """A random aligned crop of ``units`` units; returns the crop and its start unit."""
    total = num_units(streams)
    start = int(rng.integers(0, total - units + 1)) if total > units else 0
    return cut(streams, start, units), start


def align(streams: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Full utterance for scoring: several streams are trimmed to their common span of units
    (so frame 2i of log-mel is SSL frame i); a single stream is returned whole.

    Every SSL frame is kept: when the log-mel stream lacks only the partner 2i+1 of the last
    SSL frame (its window reaches 160 samples further), that frame is repeated once.
    """
    if len(streams) == 1:
        return streams
    streams = dict(streams)
    if "ssl" in streams and "logmel" in streams and len(streams["logmel"]) == 2 * len(streams["ssl"]) - 1:
        lm = streams["logmel"]
        streams["logmel"] = np.concatenate([lm, lm[-1:]], axis=0)
    return cut(streams, 0, num_units(streams))


def windows(streams: dict[str, np.ndarray], units: int) -> list[dict[str, np.ndarray]]:
    """Fixed windows of ``units`` covering the utterance (the last one ends at its end)."""
    total = num_units(streams)
    if total <= units:
        return [cut(streams, 0, units)]
    starts = list(range(0, total - units + 1, units))
    if starts[-1] + units < total:
        starts.append(total - units)
    return [cut(streams, s, units) for s in starts]


# --------------------------------------------------------------------------- stream locations
def ssl_cache_root(cfg: dict[str, Any], dump_dir: str | os.PathLike | None) -> Path:
    """``dump/ssl/<ssl_tag>``: the SSL cache recorded in ``ssl.cache_dir`` (stage 2 decides the
    folder once and the recipe passes it to training; an experiment keeps it in its config).
    A relative ``ssl.cache_dir`` (what the recipes record: ``ssl/<ssl_tag>``) is relative to
    the dump dir, so a recipe folder can move."""
    ssl_cfg = cfg["ssl"]
    if not ssl_cfg.get("cache"):
        raise SpoofcmError("the model reads cached SSL features but ssl.cache is false")
    root = ssl_cfg.get("cache_dir")
    if not root:
        raise SpoofcmError("ssl.cache_dir is not set: pass the stage-2 cache folder "
                           "(--ssl.cache_dir dump/ssl/<ssl_tag>, printed by spoofcm-dump-ssl "
                           "--print-tag), or score from audio")
    if Path(root).is_absolute():
        return Path(root)
    if dump_dir is None:
        raise SpoofcmError(f"ssl.cache_dir '{root}' is relative to the dump dir: give --dump-dir")
    return Path(dump_dir) / root


def ssl_cache_dim(cache_dir: Path) -> int:
    """Per-layer width from the cache's ``dim`` file (top level or per set)."""
    for path in [cache_dir / "dim", *sorted(cache_dir.glob("*/dim"))]:
        if path.is_file():
            text = path.read_text().strip()
            if not text.isdigit():
                raise SpoofcmError(f"{path}: expected one integer, got '{text}'")
            return int(text)
    raise SpoofcmError(f"{cache_dir}: no 'dim' file in the SSL cache (run stage 2)")


def stream_scp(dump_dir: str | os.PathLike | None, stream: str, set_name: str,
               cfg: dict[str, Any]) -> Path:
    """feats.scp of a cached stream (``logmel`` or ``ssl``) for one set."""
    if stream == "logmel":
        if dump_dir is None:
            raise SpoofcmError("the log-mel stream is read from the stage-1 dump: give --dump-dir")
        base = Path(dump_dir) / "logmel"
    elif stream == "ssl":
        base = ssl_cache_root(cfg, dump_dir)
    else:
        raise SpoofcmError(f"stream '{stream}' is not cached")
    scp = base / set_name / "feats.scp"
    if not scp.is_file():
        raise SpoofcmError(f"{scp}: not found (run the feature stages for set '{set_name}')")
    return scp


def is_cached(dump_dir: str | os.PathLike | None, inputs: Sequence[str], set_name: str,
              cfg: dict[str, Any]) -> bool:
    """True when every non-waveform stream of ``inputs`` has a cache of the set (its merged
    ``feats.scp``, which the recipe writes only once every job has finished)."""
    for stream in inputs:
        if stream == "wav":
            continue
        try:
            stream_scp(dump_dir, stream, set_name, cfg)  # the merged scp exists once complete
        except SpoofcmError:
            return False
    return True


# --------------------------------------------------------------------------- dataset
class StreamDataset(Dataset):
    """Utterances of one set as ``(streams, label, utt)``.

    ``mode="train"``: a random aligned crop of ``crop_seconds`` per item (call
    :meth:`set_epoch` each epoch). ``mode="eval"``: the full aligned utterance.
    """

    def __init__(self, data: DataDir | str | os.PathLike, dump_dir: str | os.PathLike | None,
                 set_name: str, inputs: Sequence[str], cfg: dict[str, Any],
                 mode: str = "train", utts: Sequence[str] | None = None,
                 augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None):
        self.data = data if isinstance(data, DataDir) else load_data_dir(data)
        bad = [s for s in inputs if s not in STREAMS]
        if bad or not inputs:
            raise SpoofcmError(f"model inputs {tuple(inputs)}: expected a subset of {STREAMS}")
        if mode not in ("train", "eval"):
            raise ValueError(mode)
        self.inputs = tuple(inputs)
        self.mode = mode
        self.utts = list(utts) if utts is not None else self.data.utts
        train_cfg = cfg.get("train") or {}
        self.units = crop_units(float(train_cfg.get("crop_seconds", 4.0)))
        self.seed = int(train_cfg.get("seed", 0))
        self.epoch = 0
        self.augment = augment if "wav" in self.inputs else None
        self.scps: dict[str, Any] = {}
        for stream in self.inputs:
            if stream != "wav":
                self.scps[stream] = stream_scp(dump_dir, stream, set_name, cfg)
        self._readers: dict[str, Any] = {}
        self._check_keys()

    def _check_keys(self) -> None:
        for stream, scp in self.scps.items():
            keys = set(check_scp(scp))  # refuses command entries ("... |"): spoofcm.data.scp
            missing = [u for u in self.utts if u not in keys]
            if missing:
                raise SpoofcmError(f"{scp}: {len(missing)} utterances of the data dir missing "
                                   f"(first: {missing[:3]}); re-run the feature stage")

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.utts)

    def _reader(self, stream: str):
        if stream not in self._readers:  # opened lazily: each DataLoader worker has its own
            self._readers[stream] = load_scp(self.scps[stream])
        return self._readers[stream]

    def read_streams(self, utt: str) -> dict[str, np.ndarray]:
        """Every input stream of one utterance, uncropped (float32)."""
        out = {}
        for stream in self.inputs:
            if stream == "wav":
                from spoofcm.audio.io import read_audio
                out["wav"] = np.asarray(read_audio(self.data.wav[utt]), dtype=np.float32)
            else:
                try:
                    mat = self._reader(stream)[utt]
                except Exception as exc:  # kaldiio raises several types on broken arks
                    raise SpoofcmError(f"{self.scps[stream]}: cannot read '{utt}': {exc}") from None
                out[stream] = np.array(mat, dtype=np.float32)  # a writable copy
        return out

    def item_rng(self, index: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.epoch, index])

    def __getitem__(self, index: int) -> tuple[dict[str, torch.Tensor], int, str]:
        utt = self.utts[index]
        streams = self.read_streams(utt)
        if self.mode == "train":
            rng = self.item_rng(index)
            streams, _ = random_crop(streams, self.units, rng)
            if self.augment is not None:
                wav = np.asarray(self.augment(streams["wav"], rng), dtype=np.float32)
                streams["wav"] = tile_to(wav, self.units * UNIT_SAMPLES)
        else:
            streams = align(streams)
        label = CLASS_INDEX[self.data.utt2label[utt]]
        return {k: torch.from_numpy(v) for k, v in streams.items()}, label, utt


def collate(items: Iterable[tuple[dict[str, torch.Tensor], int, str]]
            ) -> tuple[dict[str, torch.Tensor], torch.Tensor, list[str]]:
    """Stack equal-length items (crops, or a batch of one full utterance)."""
    items = list(items)
    streams = {k: torch.stack([it[0][k] for it in items]) for k in items[0][0]}
    labels = torch.tensor([it[1] for it in items], dtype=torch.long)
    return streams, labels, [it[2] for it in items]
