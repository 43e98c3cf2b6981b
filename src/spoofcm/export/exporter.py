"""Export a trained experiment: build the detector, write the file, check it, write the sidecar.

The written file is loaded back and run on example windows; it must reproduce the eager
PyTorch scores within ``TOLERANCE`` (fp32) or nothing is kept. An existing export of the same
checkpoint, format and window is left as it is (finished work is skipped).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from spoofcm.errors import SpoofcmError
from spoofcm.export.detector import build_detector, window_samples
from spoofcm.export.formats import example_windows, write
from spoofcm.export.runtime import ExportedModel
from spoofcm.export.sidecar import build_sidecar, sha256_of, sidecar_path, to_json, write_sidecar

TOLERANCE = 1e-4


def up_to_date(out: Path, fmt: str, exp: Path, checkpoint: str,
               window_seconds: float | None) -> bool:
    """True when ``out`` and its sidecar already hold this checkpoint, format and window."""
    side = sidecar_path(out)
    if not (out.is_file() and side.is_file()):
        return False
    try:
        info = json.loads(side.read_text(encoding="utf-8"))
        ckpt = Path(checkpoint) if Path(checkpoint).is_absolute() else exp / checkpoint
        window = window_samples(info["provenance"]["config"], window_seconds)
        return (info["format"] == fmt and info["window"]["samples"] == window
                and info["file"]["sha256"] == sha256_of(out)
                and info["provenance"]["checkpoint_sha256"] == sha256_of(ckpt))
    except (OSError, ValueError, KeyError, TypeError, SpoofcmError):
        return False


def export_experiment(exp: str | os.PathLike, fmt: str, out: str | os.PathLike,
                      checkpoint: str = "best.pt", trust: bool = False,
                      window_seconds: float | None = None, force: bool = False) -> tuple[Path, bool]:
    """Export ``exp`` to ``out`` (+ ``out.json``); returns the sidecar path and whether it
    was (re)written."""
    exp, out = Path(exp), Path(out)
    if not exp.is_dir():
        raise SpoofcmError(f"{exp}: experiment directory not found")
    if not force and up_to_date(out, fmt, exp, checkpoint, window_seconds):
        return sidecar_path(out), False
    det, cfg = build_detector(exp, checkpoint, trust, window_seconds)
    info = build_sidecar(exp, checkpoint, cfg, fmt, det.window, det.inputs)
    write(det, fmt, out, to_json(info))
    try:
        check_export(det, out)
    except SpoofcmError:
        out.unlink(missing_ok=True)
        raise
    return write_sidecar(out, info), True


def check_export(det, out: Path) -> None:
    """The written file must give the eager detector's scores on example windows."""
    import torch
    x = example_windows(det.window, 3)
    with torch.inference_mode():
        ref = det(x).numpy()
    got = ExportedModel(out).run(x.numpy())
    diff = float(np.max(np.abs(np.asarray(got, dtype=np.float64) - ref)))
    if not np.isfinite(diff) or diff > TOLERANCE:
        raise SpoofcmError(f"{out}: exported scores differ from PyTorch by {diff:.3g} "
                           f"(> {TOLERANCE}); the export was removed")
