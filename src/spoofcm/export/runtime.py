"""Scoring whole waveforms with an exported detector (TorchScript or ONNX), no experiment dir.

The file's format comes from its sidecar (``FILE.json``), else from its extension (``.onnx``,
anything else TorchScript); the window length and threshold from the sidecar, else from the
copy embedded in the file. The same :class:`WindowScorer` drives the eager PyTorch detector,
so exported and PyTorch scores are computed over identical windows.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np

from spoofcm.errors import SpoofcmError
from spoofcm.export.sidecar import EMBED_KEY, parse_sidecar, sidecar_path
from spoofcm.export.windows import window_batches

BatchFn = Callable[[np.ndarray], np.ndarray]  # (k, W) float32 -> (k,) scores


class WindowScorer:
    """Applies the window rule around a batch function; memory is bounded by ``batch × W``."""

    def __init__(self, run: BatchFn, window: int, batch: int = 8) -> None:
        self.run, self.window, self.batch = run, int(window), max(1, int(batch))

    def window_scores(self, wave: np.ndarray) -> np.ndarray:
        parts = [np.asarray(self.run(b), dtype=np.float64).reshape(-1)
                 for b in window_batches(wave, self.window, self.batch)]
        return np.concatenate(parts)

    def score(self, wave: np.ndarray) -> float:
        return float(self.window_scores(wave).mean())


def torch_batch_fn(module: Any, device: str = "cpu") -> BatchFn:
    """A batch function over a TorchScript or eager module."""
    import torch

    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return module(torch.from_numpy(batch).to(device)).float().cpu().numpy()
    return run


def _load_torchscript(path: Path, device: str) -> tuple[BatchFn, str]:
    import torch
    extra = {f"{EMBED_KEY}.json": ""}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            module = torch.jit.load(str(path), map_location=device, _extra_files=extra)
    except (RuntimeError, ValueError) as exc:
        raise SpoofcmError(f"{path}: not a TorchScript file ({str(exc).splitlines()[0]})") from None
    module.eval()
    meta = extra[f"{EMBED_KEY}.json"]
    return torch_batch_fn(module, device), meta.decode() if isinstance(meta, bytes) else meta


def _load_onnx(path: Path) -> tuple[BatchFn, str]:
    try:
        import onnxruntime as ort
    except ImportError:
        raise SpoofcmError(f"{path}: scoring an ONNX model needs onnxruntime "
                           f"(pip install onnxruntime)") from None
    try:
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise SpoofcmError(f"{path}: not a loadable ONNX model ({str(exc).splitlines()[0]})") from None
    name = sess.get_inputs()[0].name
    meta = sess.get_modelmeta().custom_metadata_map.get(EMBED_KEY, "")

    def run(batch: np.ndarray) -> np.ndarray:
        return sess.run(None, {name: np.ascontiguousarray(batch, dtype=np.float32)})[0]
    return run, meta


class ExportedModel(WindowScorer):
    """An exported detector file, ready to score waveforms (``score(wave) -> float``)."""

    def __init__(self, path: str | os.PathLike, device: str = "cpu", batch: int = 8) -> None:
        path = Path(path)
        if not path.is_file():
            raise SpoofcmError(f"{path}: exported model not found")
        side = sidecar_path(path)
        info = parse_sidecar(side.read_text(encoding="utf-8"), str(side)) if side.is_file() else None
        fmt = info["format"] if info else ("onnx" if path.suffix.lower() == ".onnx" else "torchscript")
        run, embedded = _load_onnx(path) if fmt == "onnx" else _load_torchscript(path, device)
        if info is None:
            if not embedded:
                raise SpoofcmError(f"{path}: no sidecar {side.name} and no embedded spoofcm "
                                   f"metadata (export it with spoofcm-export)")
            info = parse_sidecar(embedded, f"{path} (embedded metadata)")
        self.path, self.info, self.format = path, info, fmt
        self.threshold: float | None = info["threshold"]["value"]
        self.threshold_source: str = str(info["threshold"].get("source", ""))
        super().__init__(run, int(info["window"]["samples"]), batch)
