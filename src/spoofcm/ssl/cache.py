"""Stage 2: cache chosen SSL layers as float16 matrices, one job's share of a data dir at a time.

Layout (DESIGN.md §2, §5): ``dump/ssl/<ssl_tag>/<set>/feats.J.ark/.scp`` (kaldiio, arrays
stored in kaldiio's ``numpy`` format because Kaldi's binary matrices have no float16),
``utt2num_frames.J.txt``, ``layers`` (one index per line, as configured), ``dim`` (per-layer
width) and the done marker ``.done.J``. Each matrix is (frames × len(layers)·dim).

Utterances are sorted by length and batched under a sample budget, so padding costs little.
Layer-norm extractors (XLS-R) are padding-invariant under HF's attention mask; the group-norm
extractor of base models normalises over time, so those batches hold equal lengths only.
The batches are planned over the whole set and then shared out between the jobs, so every
utterance is extracted in the same batch (same padded shape, same float rounding) whatever
``--nj`` is: the cache is bit-identical for any number of jobs, e.g. locally and on a cluster.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import kaldiio
import numpy as np
import torch
from tqdm import tqdm

from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import atomic_path, atomic_write_text, is_done, mark_done
from spoofcm.ssl.extract import extract_list, num_frames

if TYPE_CHECKING:  # transformers takes seconds to import; only model users pay for it
    from transformers import Wav2Vec2Model

TAG_HASH_CHARS = 10


def checkpoint_digest(path: str | os.PathLike) -> str:
    """sha256 of a checkpoint's content (a file, or an HF folder's config and weight files)."""
    path = Path(path)
    if not path.exists():
        raise SpoofcmError(f"{path}: SSL checkpoint not found")
    files = [path] if path.is_file() else sorted(
        p for p in path.iterdir() if p.is_file() and (p.suffix in (".json", ".bin", ".safetensors")))
    if not files:
        raise SpoofcmError(f"{path}: folder holds no model files")
    digest = hashlib.sha256()
    for f in files:
        if len(files) > 1:
            digest.update(f.name.encode() + b"\0")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()


def ssl_tag(checkpoint: str | os.PathLike, layers: Sequence[int]) -> str:
    """``<sha256[:10]>_L<layers>``: a new checkpoint or layer choice gets a new cache folder."""
    return f"{checkpoint_digest(checkpoint)[:TAG_HASH_CHARS]}_L{'_'.join(str(i) for i in layers)}"


def plan_batches(lengths: Sequence[int], max_samples: int, exact: bool = False) -> list[list[int]]:
    """Indices grouped into batches of similar length whose padded size fits ``max_samples``.

    A single utterance longer than the budget still forms its own batch. With ``exact``, a
    batch only holds utterances of one length.
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


def _lengths(utts: list[str], wav: dict[str, str], known: dict[str, int]) -> list[int]:
    """Samples per utterance at 16 kHz: utt2num_samples, else the audio header."""
    from spoofcm.audio.io import audio_info, resampled_length

    out = []
    for u in utts:
        if u in known:
            out.append(known[u])
        else:
            frames, sr, _ = audio_info(wav[u])
            out.append(resampled_length(frames, sr))
    return out


def _to_float16(feats: torch.Tensor, utt: str) -> np.ndarray:
    arr = feats.float().cpu().numpy().astype(np.float16)
    if not np.all(np.isfinite(arr)):
        raise SpoofcmError(f"utterance '{utt}': SSL features overflow float16 or are not finite")
    return arr


def dump_job(data_dir: str | os.PathLike, out: str | os.PathLike, model: Wav2Vec2Model,
             layers: Sequence[int], job: int, nj: int, batch_seconds: float = 60.0) -> int:
    """Extract one job's utterances into ``out``; returns how many (0 if already done)."""
    from spoofcm.audio.io import read_audio
    from spoofcm.data.datadir import load_data_dir
    from spoofcm.data.split import job_slice

    out = Path(out)
    if is_done(out / f".done.{job}"):
        return 0
    dd = load_data_dir(data_dir)
    utts = dd.utts
    lengths = _lengths(utts, dd.wav, dd.utt2num_samples)
    exact = model.config.feat_extract_norm != "layer"
    batches = job_slice(plan_batches(lengths, int(batch_seconds * 16000), exact=exact), job, nj)
    n_utts = sum(len(b) for b in batches)
    ark = out / f"feats.{job}.ark"
    scp_lines: dict[str, str] = {}
    frames: dict[str, int] = {}
    dim = model.config.hidden_size
    with atomic_path(ark) as tmp, open(tmp, "wb") as fh, \
            tqdm(total=n_utts, desc=f"ssl job {job}/{nj}", unit="utt", leave=False) as bar:
        for batch in batches:
            names = [utts[i] for i in batch]
            waves = [read_audio(dd.wav[u]) for u in names]
            for u, w in zip(names, waves):
                if num_frames(model, len(w)) < 1:
                    raise SpoofcmError(f"{dd.wav[u]}: {len(w)} samples, shorter than one "
                                       "wav2vec 2.0 frame (400 samples at 16 kHz)")
            with torch.inference_mode():
                feats = extract_list(model, waves, layers)
            for u, f in zip(names, feats):
                arr = _to_float16(f, u)
                offset = fh.tell() + len(u.encode("utf-8")) + 1
                kaldiio.save_ark(fh, {u: arr}, write_function="numpy")
                scp_lines[u] = f"{u} {ark.resolve()}:{offset}\n"
                frames[u] = arr.shape[0]
            bar.update(len(batch))
        fh.flush()
    keys = sorted(scp_lines, key=lambda k: k.encode("utf-8"))
    atomic_write_text(out / f"feats.{job}.scp", "".join(scp_lines[k] for k in keys))
    atomic_write_text(out / f"utt2num_frames.{job}.txt", "".join(f"{k} {frames[k]}\n" for k in keys))
    atomic_write_text(out / "layers", "".join(f"{i}\n" for i in layers))
    atomic_write_text(out / "dim", f"{dim}\n")
    mark_done(out / f".done.{job}", f"{n_utts} utterances")
    return n_utts
