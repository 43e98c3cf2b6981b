"""The JSON sidecar written beside an exported detector (``FILE.json``), also embedded in the
file itself (TorchScript extra file / ONNX metadata ``spoofcm``) so a copied file that lost
its sidecar still says how to use it.

It holds what a runtime outside spoofcm needs (input layout, window rule, score convention,
decision threshold) and what a reviewer needs to trace the file back (experiment, config,
checkpoint hash, spoofcm version and commit).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spoofcm.data.dataset import SAMPLE_RATE
from spoofcm.errors import SpoofcmError
from spoofcm.export.windows import RULE
from spoofcm.fsutil import atomic_write_text

SCHEMA = "spoofcm-export/1"
EMBED_KEY = "spoofcm"
SCORE_DEFINITION = "logit[bonafide] - logit[spoof] (log-odds, higher = more bona fide)"


def sidecar_path(model_file: str | os.PathLike) -> Path:
    """``detector.onnx`` → ``detector.onnx.json``."""
    path = Path(model_file)
    return path.with_name(path.name + ".json")


def sha256_of(path: str | os.PathLike, block: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def threshold_of(exp: Path) -> dict[str, Any]:
    """The decision threshold on raw scores, by the rule spoofcm-score uses
    (:func:`spoofcm.metrics.decisions.decision_threshold`): calibrated when a usable
    ``calibration.json`` exists, else the dev EER threshold, else none."""
    if not (exp / "calibration.json").is_file() and not (exp / "threshold.json").is_file():
        return {"value": None, "source": "none (no calibration.json or threshold.json in the "
                                         "experiment)", "calibration": None}
    from spoofcm.metrics.decisions import decision_threshold
    value, source, notes = decision_threshold(exp)
    cal = None
    if source.startswith("calibrated"):
        from spoofcm.metrics.calibration import Calibration
        c = Calibration.load(exp / "calibration.json")
        cal = {"a": c.a, "b": c.b, "llr": "llr = a * score + b", "method": c.method}
    return {"value": value, "source": "; ".join([source, *notes]), "calibration": cal}


def git_commit(repo: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, text=True,
                             capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def build_sidecar(exp: str | os.PathLike, checkpoint: str, cfg: dict[str, Any], fmt: str,
                  window: int, inputs: tuple[str, ...]) -> dict[str, Any]:
    """Everything but the exported file's own hash (added by :func:`write_sidecar`)."""
    import spoofcm
    import torch
    exp = Path(exp).resolve()
    ckpt = Path(checkpoint) if Path(checkpoint).is_absolute() else exp / checkpoint
    return {
        "schema": SCHEMA,
        "format": fmt,
        "input": {"name": "wave", "shape": ["batch", window], "dtype": "float32",
                  "sample_rate": SAMPLE_RATE, "channels": 1,
                  "values": "samples in [-1, 1] (soundfile float), mono, 16 kHz"},
        "output": {"name": "score", "shape": ["batch"], "dtype": "float32",
                   "meaning": "one score per window"},
        "score": {"definition": SCORE_DEFINITION, "decision": "bonafide if score >= threshold"},
        "window": {"samples": window, "seconds": window / SAMPLE_RATE, "rule": RULE},
        "threshold": threshold_of(exp),
        "provenance": {
            "exp": str(exp), "checkpoint": str(ckpt), "checkpoint_sha256": sha256_of(ckpt),
            "model": (cfg.get("model") or {}).get("name"), "front_ends": list(inputs),
            "config": cfg, "spoofcm_version": spoofcm.__version__,
            "spoofcm_commit": git_commit(Path(spoofcm.__file__).resolve().parents[2]),
            "torch_version": torch.__version__,
            "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }


def to_json(info: dict[str, Any]) -> str:
    return json.dumps(info, indent=2, default=str) + "\n"


def write_sidecar(model_file: str | os.PathLike, info: dict[str, Any]) -> Path:
    """``FILE.json`` with the file's sha256 added, written atomically."""
    info = dict(info, file={"name": Path(model_file).name, "sha256": sha256_of(model_file)})
    path = sidecar_path(model_file)
    atomic_write_text(path, to_json(info))
    return path


def parse_sidecar(text: str, where: str) -> dict[str, Any]:
    """Parse and check the fields a runtime relies on."""
    try:
        info = json.loads(text)
        window = int(info["window"]["samples"])
        fmt = str(info["format"])
        threshold = info["threshold"]["value"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SpoofcmError(f"{where}: not a spoofcm export sidecar ({exc})") from None
    if info.get("schema") != SCHEMA:
        raise SpoofcmError(f"{where}: schema {info.get('schema')!r}, expected {SCHEMA!r}")
    if window <= 0 or fmt not in ("torchscript", "onnx") or \
            (threshold is not None and not isinstance(threshold, (int, float))):
        raise SpoofcmError(f"{where}: invalid window, format or threshold")
    return info
