"""Training checkpoints: the full state as tensors and plain types (docs/formats.md).

Everything a killed run needs to continue bit-for-bit lives in one dict loadable with
``torch.load(weights_only=True)``: model, optimiser, scheduler, the RNG states of python,
numpy and torch, the epoch, and the history of dev metrics. Files are written atomically, so a
run killed while saving leaves the previous checkpoint intact.
"""
from __future__ import annotations

import os
import pickle
import random
import zipfile
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import atomic_path, write_failure


def rng_state() -> dict[str, Any]:
    """RNG states of python, numpy and torch (CPU and CUDA) as tensors and plain types."""
    py = random.getstate()
    np_name, np_keys, np_pos, np_gauss, np_cached = np.random.get_state()
    state = {
        "python": [py[0], list(py[1]), py[2]],
        "numpy": {"name": np_name, "keys": torch.from_numpy(np_keys.astype(np.int64)),
                  "pos": int(np_pos), "has_gauss": int(np_gauss), "gauss": float(np_cached)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` captured."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    npy = state["numpy"]
    np.random.set_state((npy["name"], npy["keys"].numpy().astype(np.uint32), npy["pos"],
                         npy["has_gauss"], npy["gauss"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save(obj: dict[str, Any], path: str | os.PathLike) -> None:
    """``torch.save`` atomically and durably (temporary file, fsync, rename, fsync of the
    folder: spoofcm.fsutil); a full disk is ``PATH: no space left on device``."""
    with atomic_path(path, suffix=".pt.tmp") as tmp:
        try:
            torch.save(obj, tmp)
        except RuntimeError as exc:  # torch reports a failed write without errno
            raise write_failure(exc, path) from None


def load(path: str | os.PathLike, trust: bool = False,
         map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint data-only; ``trust=True`` (``--trust-checkpoint``) allows any pickle."""
    path = Path(path)
    if not path.is_file():
        raise SpoofcmError(f"{path}: checkpoint not found")
    if path.stat().st_size == 0:
        raise SpoofcmError(f"{path}: empty checkpoint file (written by a crash?); delete it "
                           f"to start over")
    try:
        obj = torch.load(path, map_location=map_location, weights_only=not trust)
    except pickle.UnpicklingError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpoofcmError(f"{path}: not a data-only checkpoint ({first}); "
                           f"pass --trust-checkpoint only if you trust its source") from None
    except (RuntimeError, EOFError, OSError) as exc:
        first = str(exc).strip().splitlines()[0].split(". ")[0] if str(exc).strip() else ""
        raise SpoofcmError(f"{path}: cannot read checkpoint, truncated or corrupt "
                           f"({first or type(exc).__name__})") from None
    except (IndexError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
        raise SpoofcmError(f"{path}: truncated or corrupt checkpoint ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    if not isinstance(obj, dict):
        raise SpoofcmError(f"{path}: expected a dict checkpoint, got {type(obj).__name__}")
    return obj


def average_states(states: Iterable[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Element-wise mean of model state dicts (floating tensors; integer buffers such as
    BatchNorm's ``num_batches_tracked`` are taken from the first)."""
    states = list(states)
    if not states:
        raise ValueError("no states to average")
    out: dict[str, torch.Tensor] = {}
    for key, first in states[0].items():
        if torch.is_floating_point(first):
            acc = torch.zeros_like(first, dtype=torch.float64)
            for st in states:
                acc += st[key].to(torch.float64)
            out[key] = (acc / len(states)).to(first.dtype)
        else:
            out[key] = first.clone()
    return out


def epoch_path(exp: str | os.PathLike, epoch: int) -> Path:
    return Path(exp) / "checkpoints" / f"epoch{epoch}.pt"


def prune_epochs(exp: str | os.PathLike, keep: set[int]) -> None:
    """Delete per-epoch checkpoints not in ``keep`` (bounded disk use for large models)."""
    for path in (Path(exp) / "checkpoints").glob("epoch*.pt"):
        stem = path.stem[len("epoch"):]
        if stem.isdigit() and int(stem) not in keep:
            path.unlink()
