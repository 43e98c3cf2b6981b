"""Stages 1 and 2: one job's share of a data dir written as a kaldiio ark/scp shard.

Both stages write the same files (``feats.J.ark``, ``feats.J.scp``, ``utt2num_frames.J.txt``,
done marker ``.done.J``; docs/formats.md) through :class:`ShardWriter`: the ark is written
under a temporary name and renamed only when complete, the scp points at the final name, so
a killed job leaves nothing a rerun would trust. float32 matrices are Kaldi binary matrices;
float16 ones (the SSL cache) use kaldiio's numpy format, as Kaldi has no float16 matrix.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import kaldiio
import numpy as np
from tqdm import tqdm

from spoofcm.data.datadir import DataDir, load_data_dir
from spoofcm.data.split import job_slice
from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import (atomic_path, atomic_write_text, fsync_file, is_done, mark_done,
                            remove_stale_temps)


def part_paths(out: Path, job: int) -> dict[str, Path]:
    """The files job ``job`` leaves in ``out`` (the sharded-program contract)."""
    return {"ark": out / f"feats.{job}.ark", "scp": out / f"feats.{job}.scp",
            "frames": out / f"utt2num_frames.{job}.txt", "done": out / f".done.{job}"}


class ShardWriter:
    """Matrices of one job into ``feats.J.ark`` + scp + frame counts, all or nothing."""

    def __init__(self, out: str | os.PathLike, job: int):
        self.out = Path(out).resolve()
        self.paths = part_paths(self.out, job)
        self.scp: dict[str, str] = {}
        self.frames: dict[str, int] = {}

    def __enter__(self) -> "ShardWriter":
        self.out.mkdir(parents=True, exist_ok=True)
        for name in ("ark", "scp", "frames"):  # a killed earlier attempt's hidden partial files
            remove_stale_temps(self.paths[name])
        self._atomic = atomic_path(self.paths["ark"], suffix=".ark")
        tmp = self._atomic.__enter__()
        self._fh = open(tmp, "wb")
        return self

    def write(self, utt: str, mat: np.ndarray) -> None:
        offset = self._fh.tell() + len(utt.encode("utf-8")) + 1
        kaldiio.save_ark(self._fh, {utt: mat},
                         write_function="numpy" if mat.dtype == np.float16 else None)
        self.scp[utt] = f"{utt} {self.paths['ark']}:{offset}\n"
        self.frames[utt] = int(mat.shape[0])

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        finally:
            self._fh.close()
        self._atomic.__exit__(exc_type, exc, tb)  # renames only without an exception
        if exc_type is not None:
            return
        keys = sorted(self.scp, key=lambda k: k.encode("utf-8"))
        atomic_write_text(self.paths["scp"], "".join(self.scp[k] for k in keys))
        atomic_write_text(self.paths["frames"], "".join(f"{k} {self.frames[k]}\n" for k in keys))


def _checked_wave(data: DataDir, utt: str) -> np.ndarray:
    from spoofcm.audio.io import read_audio
    wave = read_audio(data.wav[utt])
    expected = data.utt2num_samples.get(utt)
    if expected is not None and expected != len(wave):
        raise SpoofcmError(f"{data.wav[utt]}: {len(wave)} samples at 16 kHz but "
                           f"utt2num_samples says {expected} (stale data dir?)")
    return wave


def run_dump_job(data_dir: str | os.PathLike, out: str | os.PathLike, job: int, nj: int,
                 compute: Callable[[list[str], list[np.ndarray]], list[np.ndarray]],
                 batches: Callable[[DataDir], list[list[str]]] | None = None,
                 desc: str = "dump", progress: bool = True) -> int | None:
    """Write job ``job`` of ``nj``: ``compute(names, waves)`` gives one matrix per utterance.
    ``batches(data)`` plans the WHOLE set's batches (lists of utterance ids); the job takes its
    contiguous share of them, so every number of jobs computes exactly the same batches
    (default: one utterance at a time). None if done before."""
    out = Path(out)
    done = part_paths(out.resolve(), job)["done"]
    if is_done(done):
        return None
    data = load_data_dir(data_dir)
    plan = job_slice(batches(data) if batches else [[u] for u in data.utts], job, nj)
    n_utts = sum(len(b) for b in plan)
    with ShardWriter(out, job) as writer, \
            tqdm(total=n_utts, desc=f"{desc} {Path(data_dir).name} {job}/{nj}", unit="utt",
                 disable=not progress, mininterval=2.0, leave=False, file=sys.stderr) as bar:
        for names in plan:
            mats = compute(names, [_checked_wave(data, u) for u in names])
            for name, mat in zip(names, mats):
                writer.write(name, mat)
            bar.update(len(names))
    mark_done(done, f"{n_utts} utterances")
    return n_utts


def utt_lengths(utts: Sequence[str], data: DataDir) -> list[int]:
    """Samples per utterance at 16 kHz: ``utt2num_samples``, else the audio header."""
    from spoofcm.audio.io import audio_info, resampled_length
    out = []
    for u in utts:
        if u in data.utt2num_samples:
            out.append(data.utt2num_samples[u])
        else:
            frames, sr, _ = audio_info(data.wav[u])
            out.append(resampled_length(frames, sr))
    return out


def dump_logmel_job(data_dir: str | os.PathLike, out: str | os.PathLike, job: int, nj: int,
                    progress: bool = True) -> int | None:
    """Stage 1: 128-bin log-mel (float32) of one job's utterances."""
    from spoofcm.features.logmel import logmel
    return run_dump_job(data_dir, out, job, nj,
                        lambda names, waves: [logmel(w).numpy() for w in waves],
                        desc="logmel", progress=progress)


def dump_ssl_job(data_dir: str | os.PathLike, out: str | os.PathLike, ssl: Any,
                 job: int, nj: int, batch_seconds: float = 60.0) -> int | None:
    """Stage 2: chosen SSL layers (float16) of one job's utterances, batched by length;
    also writes the cache's ``layers`` and ``dim`` files."""
    from spoofcm.features.streams import plan_batches
    out = Path(out)

    def batches(data: DataDir) -> list[list[str]]:
        """Over the whole set, so that the cache is the same for any --nj (a batch's padding
        changes the float16 rounding of its features)."""
        plan = plan_batches(utt_lengths(data.utts, data), int(batch_seconds * 16000), ssl.exact)
        return [[data.utts[i] for i in batch] for batch in plan]

    n = run_dump_job(data_dir, out, job, nj, ssl.batch, batches, desc="ssl")
    if n is not None:
        atomic_write_text(out / "layers", "".join(f"{i}\n" for i in ssl.layers))
        atomic_write_text(out / "dim", f"{ssl.dim}\n")
    return n


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000
    return f"{n:.1f} TB"


def estimate_dump_bytes(data_dir: str | os.PathLike, hop: int, width: int,
                        bytes_per_value: int) -> int:
    """Bytes a stage-1/2 dump of the whole set will write (from ``utt2num_samples`` and the
    feature shape: frames of ``hop`` samples × ``width`` values, plus per-matrix headers)."""
    data = load_data_dir(data_dir)
    total = 0
    for utt, n in zip(data.utts, utt_lengths(data.utts, data)):
        frames = 1 + max(0, n - 400) // hop
        total += frames * width * bytes_per_value + 2 * len(utt) + 160  # ark header + scp line
    return total


def check_space(out: str | os.PathLike, need: int) -> None:
    """Stop before a dump starts when its file system is short: a one-line error naming the
    need and the free space (arks already in ``out`` count as written)."""
    import shutil
    out = Path(out)
    have = sum(p.stat().st_size for p in out.glob("feats.*.ark")) if out.is_dir() else 0
    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if need - have > free:
        raise SpoofcmError(f"{out}: the dump needs about {human_bytes(need - have)} but only "
                           f"{human_bytes(free)} are free on its file system")
