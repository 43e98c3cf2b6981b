"""spoofcm-dump-logmel: stage 1, log mel features of one job's slice of a data dir.

Writes ``<out>/feats.J.ark`` + ``feats.J.scp`` (float32 matrices, frames × 128, through
kaldiio) and ``utt2num_frames.J.txt``, then the done marker ``<out>/.done.J``; exits at once
when that marker exists. Outputs appear whole or not at all: the ark is written under a
temporary name, the scp is rewritten to point at the final ark, and both are renamed.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import kaldiio
import torch
from tqdm import tqdm

from spoofcm.bin.argtypes import positive_int
from spoofcm.audio.io import AudioWarning, read_audio
from spoofcm.data.datadir import load_data_dir
from spoofcm.data.split import job_slice
from spoofcm.errors import SpoofcmError, cli_main
from spoofcm.features.logmel import logmel
from spoofcm.fsutil import (atomic_path, atomic_write_text, is_done, mark_done,
                            remove_stale_temps)


def part_paths(out: Path, job: int) -> dict[str, Path]:
    """The files job ``job`` leaves in ``out`` (the sharded-program contract)."""
    return {"ark": out / f"feats.{job}.ark", "scp": out / f"feats.{job}.scp",
            "frames": out / f"utt2num_frames.{job}.txt", "done": out / f".done.{job}"}


def retarget_scp(text: str, tmp_ark: str, final_ark: str) -> str:
    """Point every ``utt ark:offset`` line written for ``tmp_ark`` at ``final_ark``."""
    lines = []
    for line in text.splitlines():
        utt, loc = line.split(" ", 1)
        if not loc.startswith(tmp_ark + ":"):
            raise SpoofcmError(f"internal: scp line '{line}' does not point at {tmp_ark}")
        lines.append(f"{utt} {final_ark}{loc[len(tmp_ark):]}\n")
    return "".join(lines)


def dump_job(data_dir: str | os.PathLike, out: str | os.PathLike, job: int, nj: int,
             progress: bool = True) -> int | None:
    """Dump job ``job`` of ``nj``; return the number of utterances written, None if done before."""
    out = Path(out).resolve()
    paths = part_paths(out, job)
    if is_done(paths["done"]):
        return None
    data = load_data_dir(data_dir)
    utts = job_slice(data.utts, job, nj)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("ark", "scp", "frames"):  # a killed earlier attempt's hidden partial files
        remove_stale_temps(paths[name])
    frames: dict[str, int] = {}
    with atomic_path(paths["ark"], suffix=".ark") as tmp_ark, \
            atomic_path(paths["scp"], suffix=".scp") as tmp_scp:
        with kaldiio.WriteHelper(f"ark,scp:{tmp_ark},{tmp_scp}") as writer:
            for utt in tqdm(utts, desc=f"logmel {Path(data_dir).name} {job}/{nj}", unit="utt",
                            disable=not progress, mininterval=2.0, file=sys.stderr):
                wave = read_audio(data.wav[utt])
                expected = data.utt2num_samples.get(utt)
                if expected is not None and expected != len(wave):
                    raise SpoofcmError(f"{data.wav[utt]}: {len(wave)} samples at 16 kHz but "
                                       f"utt2num_samples says {expected} (stale data dir?)")
                feats = logmel(wave).numpy()
                writer(utt, feats)
                frames[utt] = feats.shape[0]
        tmp_scp.write_text(retarget_scp(tmp_scp.read_text(), str(tmp_ark), str(paths["ark"])))
    atomic_write_text(paths["frames"], "".join(f"{u} {n}\n" for u, n in frames.items()))
    mark_done(paths["done"], f"{len(frames)} utterances")
    return len(frames)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Audio conversions as one line each, without the source location noise."""
    tqdm.write(f"spoofcm-dump-logmel: warning: {message}", file=sys.stderr)


@cli_main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="spoofcm-dump-logmel", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="data dir (wav.scp, utt2num_samples, ...)")
    p.add_argument("--out", required=True, help="output dir, e.g. dump/logmel/train")
    p.add_argument("--job", type=positive_int, default=1, help="this job's number, 1-based")
    p.add_argument("--nj", type=positive_int, default=1, help="number of jobs")
    p.add_argument("--num-threads", type=positive_int, default=1, help="torch threads per job")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    torch.set_num_threads(args.num_threads)
    with warnings.catch_warnings():
        warnings.simplefilter("always", AudioWarning)
        warnings.showwarning = _show_warning
        n = dump_job(args.data, args.out, args.job, args.nj, progress=not args.no_progress)
    print(f"spoofcm-dump-logmel: job {args.job}/{args.nj}: "
          f"{'already done, skipped' if n is None else f'{n} utterances'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
