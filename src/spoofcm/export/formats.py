"""Writing a :class:`~spoofcm.export.detector.Detector` as TorchScript or ONNX.

Both graphs take ``wave`` ``(batch, W)`` float32 and return ``score`` ``(batch,)``; the batch
axis is dynamic, the window length fixed (see :mod:`spoofcm.export.windows`). TorchScript is
traced (the front ends and back ends have no data-dependent control flow at a fixed window);
ONNX goes through ``torch.export`` (the TorchScript-based exporter cannot express the complex
STFT of the log-mel and LFCC front ends). The sidecar JSON is embedded in both.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from pathlib import Path

import numpy as np
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.export.detector import Detector
from spoofcm.export.sidecar import EMBED_KEY
from spoofcm.fsutil import atomic_path

FORMATS = ("torchscript", "onnx")
ONNX_OPSET = 18
MAX_BATCH = 4096  # upper bound the ONNX graph is specialised for (windows per call)
ONNX_MAX_BYTES = 2**31 - 2**26  # protobuf's 2 GiB limit, less room for the graph itself


def example_windows(window: int, count: int = 2) -> torch.Tensor:
    """Deterministic speech-like windows (harmonics + noise) to trace with and to check on."""
    rng = np.random.default_rng(0)
    t = np.arange(window) / 16000
    rows = []
    for i in range(count):
        f0 = 110.0 + 35.0 * i
        x = sum(0.2 / k * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 10))
        rows.append(x + 0.02 * rng.standard_normal(window))
    return torch.from_numpy(np.stack(rows).astype(np.float32))


def write_torchscript(det: Detector, path: str | os.PathLike, meta: str) -> None:
    example = example_windows(det.window)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and "TorchScript is deprecated" notices
        traced = torch.jit.trace(det, example, check_trace=False)
        with atomic_path(path, suffix=".pt.tmp") as tmp:
            torch.jit.save(traced, str(tmp), _extra_files={f"{EMBED_KEY}.json": meta})


def write_onnx(det: Detector, path: str | os.PathLike, meta: str) -> None:
    try:
        import onnxscript  # noqa: F401  (torch.onnx's exporter needs it)
    except ImportError:
        raise SpoofcmError("ONNX export needs the packages onnx and onnxscript "
                           "(pip install 'spoofcm[test]')") from None
    size = sum(t.numel() * t.element_size() for t in det.state_dict().values())
    if size > ONNX_MAX_BYTES:
        raise SpoofcmError(f"the model has {size / 2**30:.1f} GiB of weights, more than one ONNX "
                           f"file holds (2 GiB); use --format torchscript")
    example = example_windows(det.window)
    batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    with torch.no_grad():
        det(example)  # fill the front ends' caches (log-mel filters) with real tensors first:
        # torch.export would otherwise leave its fake tensors in them
    quiet = logging.getLogger("torch.onnx")   # its notes on optional packages (torchvision)
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(det, (example,), None, input_names=["wave"],
                                        output_names=["score"], dynamo=True,
                                        opset_version=ONNX_OPSET, dynamic_shapes=({0: batch},))
    except Exception as exc:  # torch.export / onnxscript raise many types; name the cause
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SpoofcmError(f"ONNX export failed ({type(exc).__name__}: {first}); "
                           f"try --format torchscript") from None
    finally:
        quiet.setLevel(level)
    program.model.metadata_props[EMBED_KEY] = meta
    with atomic_path(path, suffix=".onnx.tmp") as tmp:
        program.save(str(tmp), external_data=False)


def write(det: Detector, fmt: str, path: str | os.PathLike, meta: str) -> None:
    """Write ``det`` in ``fmt`` to ``path`` atomically, with ``meta`` embedded."""
    if fmt not in FORMATS:
        raise SpoofcmError(f"--format {fmt}: choose one of {', '.join(FORMATS)}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    (write_torchscript if fmt == "torchscript" else write_onnx)(det, path, meta)
