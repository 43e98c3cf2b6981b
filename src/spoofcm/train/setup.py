"""What a training or scoring run sets up before its loop: seeds, determinism, the model, the
SSL cache width, the augmentation hook, and the ``env.txt`` provenance record."""
from __future__ import annotations

import importlib
import os
import platform
import random
import sys
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import atomic_write_text

ROOT = Path(__file__).resolve().parents[3]


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """The global-RNG seed of one epoch on one rank: a pure function, so a resumed run draws
    exactly what the uninterrupted run drew (dropout, augmentation without a per-item RNG)."""
    return int(np.random.SeedSequence([seed, epoch, rank]).generate_state(1)[0])


def set_deterministic(enabled: bool) -> None:
    """``--deterministic``: deterministic kernels (errors on ops without one) and fixed cuDNN
    algorithms; slower, for reproducing a number exactly."""
    if enabled:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(enabled)
    torch.backends.cudnn.deterministic = enabled
    if enabled:  # never turned on here: dev utterances vary in length, re-tuning would cost
        torch.backends.cudnn.benchmark = False


def make_model(cfg: dict[str, Any]) -> Any:
    """Build ``model.name`` from the registry; a ``package.module:function`` name builds a
    model defined outside spoofcm (same builder signature ``(model_cfg, cfg)``)."""
    name = str((cfg.get("model") or {}).get("name", ""))
    if ":" in name:
        module, func = name.split(":", 1)
        try:
            builder = getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            raise SpoofcmError(f"model.name '{name}': cannot import ({exc})") from None
        return builder(cfg["model"], cfg)
    from spoofcm.models.registry import build_model
    return build_model(cfg)


def model_inputs(model: Any) -> tuple[str, ...]:
    inputs = tuple(getattr(model, "inputs", ()) or ())
    if not inputs:
        raise SpoofcmError(f"model {type(model).__name__} declares no 'inputs'")
    return inputs


def resolve_ssl_dim(cfg: dict[str, Any], dump_dir: str | os.PathLike | None) -> None:
    """With ``ssl.cache: true`` set ``cfg['ssl']['dim']`` from the cache's ``dim`` file, so a
    builder with ``model.ssl_dim: auto`` knows the per-layer width before reading data."""
    ssl_cfg = cfg.get("ssl") or {}
    if not ssl_cfg.get("cache") or dump_dir is None:
        return
    from spoofcm.data.dataset import ssl_cache_dim, ssl_cache_dir
    ssl_cfg["dim"] = ssl_cache_dim(ssl_cache_dir(dump_dir, cfg))
    cfg["ssl"] = ssl_cfg


def build_augment(cfg: dict[str, Any], inputs: tuple[str, ...]
                  ) -> Callable[[np.ndarray, np.random.Generator], np.ndarray] | None:
    """The waveform augmentation of ``augment:`` for models that read ``wav``, else None."""
    aug_cfg = cfg.get("augment")
    if not aug_cfg or "wav" not in inputs:
        return None
    try:
        module = importlib.import_module("spoofcm.data.augment")
    except ImportError:
        warnings.warn("augment: configured but spoofcm.data.augment is not available; "
                      "training without augmentation")
        return None
    return module.build_augment(aug_cfg)


def git_hash() -> str:
    """HEAD of the spoofcm checkout, ``-dirty`` when it has uncommitted changes."""
    from spoofcm.provenance import git_state
    return git_state(ROOT).describe()


def write_env(path: str | os.PathLike, argv: list[str], extra: dict[str, Any]) -> None:
    """``env.txt``: versions, git hash, host, devices and the exact command."""
    import spoofcm
    versions = {"python": sys.version.split()[0], "torch": torch.__version__,
                "numpy": np.__version__, "spoofcm": spoofcm.__version__}
    for mod in ("transformers", "kaldiio", "soundfile"):
        try:
            versions[mod] = importlib.import_module(mod).__version__
        except (ImportError, AttributeError):
            versions[mod] = "absent"
    lines = [f"{k}: {v}" for k, v in versions.items()]
    lines += [f"git: {git_hash()}", f"host: {platform.node()}",
              f"platform: {platform.platform()}",
              f"cuda: {torch.version.cuda or 'none'} "
              f"({torch.cuda.device_count() if torch.cuda.is_available() else 0} visible)"]
    from spoofcm.provenance import machine
    lines += [f"{k}: {v}" for k, v in machine().items()]   # cpu, gpu, threads (spoofcm-report)
    lines += [f"{k}: {v}" for k, v in extra.items()]
    lines.append("command: " + " ".join(argv))
    atomic_write_text(path, "\n".join(lines) + "\n")
