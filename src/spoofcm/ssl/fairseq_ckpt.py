"""Read fairseq wav2vec 2.0 / XLS-R checkpoints without fairseq, and without running their code.

A checkpoint is a pickle. We load it with ``torch.load(weights_only=True)`` and allow only the
data-only types such files are known to carry (``argparse.Namespace`` in 2020-era files, numpy
scalars and dtypes in saved metrics). Any other type stops the load with its name and the
explicit ``--trust-checkpoint`` override, because a pickle can run arbitrary code.

What we take from a file: the model section of its config (``cfg['model']`` in fairseq >= 0.11,
``vars(args)`` before), the task's ``normalize`` flag, and the encoder's state dict, with the
prefixes of fine-tuned (``w2v_encoder.w2v_model.``) and SSL-AASIST-style (``ssl_model.model.``,
``module.``) wrappers removed.
"""
from __future__ import annotations

import argparse
import collections
import os
import pickle
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import torch

from spoofcm.errors import SpoofcmError
from spoofcm.ssl.presets import FAIRSEQ_DEFAULTS

# A key every wav2vec 2.0 state dict has; what precedes it is the wrapper prefix.
_ANCHOR = "feature_extractor.conv_layers.0.0.weight"
_TRUST_HINT = ("if you trust this file, pass --trust-checkpoint "
               "(config: ssl.trust_checkpoint: true) to load it with full pickle")


def _allowed_globals() -> list[Any]:
    """The short allowlist: argparse.Namespace, OrderedDict, numpy array/scalar/dtype rebuilders."""
    import numpy as np

    allowed: list[Any] = [argparse.Namespace, collections.OrderedDict, np.dtype, np.ndarray]
    for mod_name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            mod = __import__(mod_name, fromlist=["_reconstruct", "scalar"])
        except ImportError:
            continue
        allowed += [getattr(mod, n) for n in ("_reconstruct", "scalar") if hasattr(mod, n)]
    dtypes = getattr(np, "dtypes", None)  # numpy >= 1.25: dtype classes such as Float64DType
    if dtypes is not None:
        allowed += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith("DType")]
    return allowed


_UNSUPPORTED = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")


def read_checkpoint(path: str | os.PathLike, trust: bool = False) -> dict[str, Any]:
    """``torch.load`` a checkpoint safely; every failure is a one-line SpoofcmError."""
    path = Path(path)
    if not path.is_file():
        raise SpoofcmError(f"{path}: SSL checkpoint not found")
    # torch >= 1.6 writes a zip archive (memory-mapped here, so a 1.2 GB file is not copied);
    # checkpoints from mid-2020 and earlier (wav2vec_small.pt) use the legacy format
    use_mmap = zipfile.is_zipfile(path)
    try:
        with torch.serialization.safe_globals(_allowed_globals()):
            obj = torch.load(path, map_location="cpu", weights_only=not trust, mmap=use_mmap)
    except pickle.UnpicklingError as exc:
        found = _UNSUPPORTED.search(str(exc))
        if found:
            raise SpoofcmError(f"{path}: checkpoint contains the type '{found.group(1)}', which "
                               f"is not on the allowlist of data-only types; {_TRUST_HINT}") from None
        what = "corrupt PyTorch checkpoint" if use_mmap else (
            "not a PyTorch checkpoint (neither torch's zip format nor its legacy format)")
        hint = "" if trust else (f"; it may also hold objects that are not plain data "
                                 f"(refused for safety): {_TRUST_HINT}")
        raise SpoofcmError(f"{path}: {what}: {_unpickler_reason(exc)}{hint}") from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise SpoofcmError(f"{path}: unreadable checkpoint, truncated or corrupt "
                           f"({_first_line(exc)})") from None
    if not isinstance(obj, Mapping):
        raise SpoofcmError(f"{path}: checkpoint holds a {type(obj).__name__}, expected a dict")
    return dict(obj)


def _first_line(exc: BaseException) -> str:
    """The first sentence of an exception's message (torch's run on for several lines)."""
    text = str(exc).strip().splitlines()
    return text[0].split(". ")[0][:200] if text else type(exc).__name__


def _unpickler_reason(exc: BaseException) -> str:
    """The unpickler's own complaint, without torch's advice to disable weights_only."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if line.endswith("Unpickler error:") and i + 1 < len(lines):
            return lines[i + 1][:200]
        if "invalid load key" in line:
            return line[:200]
    return "unpickling failed"


def _as_dict(section: Any) -> dict[str, Any] | None:
    """A config section as a plain dict (Namespace, dict, or a trusted omegaconf object)."""
    if section is None:
        return None
    if isinstance(section, argparse.Namespace):
        return vars(section)
    if isinstance(section, Mapping):
        return dict(section)
    try:  # DictConfig (only reachable with --trust-checkpoint)
        return dict(section.items())
    except AttributeError:
        return None


@dataclass
class FairseqModel:
    """What the loader needs from a checkpoint: model config, normalize flag, encoder weights."""

    cfg: dict[str, Any]
    normalize: bool
    state: dict[str, torch.Tensor]


def model_config(ckpt: Mapping[str, Any], path: str | os.PathLike) -> tuple[dict[str, Any], bool]:
    """The pretraining model section (fairseq defaults for missing fields) and ``normalize``."""
    cfg = _as_dict(ckpt.get("cfg"))
    if cfg is not None and _as_dict(cfg.get("model")) is not None:
        model = _as_dict(cfg["model"]) or {}
        task = _as_dict(cfg.get("task")) or {}
    elif _as_dict(ckpt.get("args")) is not None:
        model = task = _as_dict(ckpt["args"]) or {}
    else:
        raise SpoofcmError(f"{path}: no fairseq config ('cfg' or 'args'); not a fairseq "
                           "wav2vec 2.0 checkpoint")
    w2v_args = _as_dict(model.get("w2v_args"))
    if w2v_args is not None:  # fine-tuned (CTC) checkpoint: the encoder's pretraining config
        if _as_dict(w2v_args.get("model")) is not None:
            inner_task = _as_dict(w2v_args.get("task")) or {}
            normalize = bool(inner_task.get("normalize", task.get("normalize", False)))
            model = _as_dict(w2v_args["model"]) or {}
        else:  # legacy fine-tuned file: w2v_args is the pretraining Namespace itself
            normalize = bool(w2v_args.get("normalize", task.get("normalize", False)))
            model = w2v_args
    else:
        normalize = bool(task.get("normalize", False))
    name = model.get("_name", model.get("arch"))
    if name not in ("wav2vec2", None):
        raise SpoofcmError(f"{path}: model type '{name}' is not wav2vec 2.0 (expected "
                           "'wav2vec2' pretraining or a wav2vec2 fine-tuned checkpoint)")
    merged = dict(FAIRSEQ_DEFAULTS)
    merged.update({k: v for k, v in model.items() if k in FAIRSEQ_DEFAULTS and v is not None})
    return merged, normalize


def encoder_state(state: Mapping[str, Any], path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The wav2vec 2.0 encoder's tensors with any wrapper prefix removed."""
    prefixes = {k[: -len(_ANCHOR)] for k in state if isinstance(k, str) and k.endswith(_ANCHOR)}
    if len(prefixes) != 1:
        what = "no" if not prefixes else f"{len(prefixes)} ({sorted(prefixes)})"
        raise SpoofcmError(f"{path}: state dict has {what} wav2vec 2.0 encoder(s) "
                           f"(looked for '*{_ANCHOR}')")
    prefix = prefixes.pop()
    out = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    bad = [k for k, v in out.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise SpoofcmError(f"{path}: state dict entry '{prefix}{bad[0]}' is not a tensor")
    return out


def read_fairseq(path: str | os.PathLike, trust: bool = False) -> FairseqModel:
    """Read a fairseq wav2vec 2.0 checkpoint into config, normalize flag and encoder weights."""
    ckpt = read_checkpoint(path, trust=trust)
    if not any(k in ckpt for k in ("model", "cfg", "args")) and any(
            isinstance(k, str) and k.endswith(_ANCHOR) for k in ckpt):
        from spoofcm.ssl.infer import infer_config  # a bare state dict (SSL-AASIST style)

        state = encoder_state(ckpt, path)
        cfg, normalize = infer_config(state, path)
        return FairseqModel(cfg=cfg, normalize=normalize, state=state)
    state = ckpt.get("model")
    if not isinstance(state, Mapping):
        raise SpoofcmError(f"{path}: no 'model' state dict; not a fairseq checkpoint "
                           f"(top-level keys: {sorted(map(str, ckpt))[:8]})")
    cfg, normalize = model_config(ckpt, path)
    return FairseqModel(cfg=cfg, normalize=normalize, state=encoder_state(state, path))
