"""What a training or scoring run sets up before its loop: seeds, determinism, the model, the
SSL cache width, the augmentation hook, and the ``env.txt`` provenance record."""
from __future__ import annotations

import importlib
import os
import platform
import random
import sys
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


def record_encoder(cfg: dict[str, Any], model: Any) -> None:
    """Keep the architecture of a fine-tuned SSL encoder in ``ssl.encoder_config``, so that the
    trained experiment rebuilds without the original SSL checkpoint file."""
    if not isinstance(model, torch.nn.Module):
        return
    for module in model.modules():
        if type(module).__name__ == "Wav2Vec2Model":
            from spoofcm.ssl import encoder_config
            cfg["ssl"]["encoder_config"] = encoder_config(module)
            return


def model_inputs(model: Any) -> tuple[str, ...]:
    inputs = tuple(getattr(model, "inputs", ()) or ())
    if not inputs:
        raise SpoofcmError(f"model {type(model).__name__} declares no 'inputs'")
    return inputs


def resolve_ssl_dim(cfg: dict[str, Any], dump_dir: str | os.PathLike | None) -> None:
    """With ``ssl.cache: true`` set ``cfg['ssl']['dim']`` from the cache's ``dim`` file (in the
    recorded ``ssl.cache_dir``), so a builder with ``model.ssl_dim: auto`` knows the per-layer
    width before reading data."""
    ssl_cfg = cfg["ssl"]
    if not ssl_cfg["cache"] or dump_dir is None:
        return
    from spoofcm.data.dataset import ssl_cache_dim, ssl_cache_root
    ssl_cfg["dim"] = ssl_cache_dim(ssl_cache_root(cfg, dump_dir))


def build_augment(cfg: dict[str, Any], inputs: tuple[str, ...]
                  ) -> Callable[[np.ndarray, np.random.Generator], np.ndarray] | None:
    """The waveform augmentation of ``augment:`` for models that read ``wav``, else None."""
    aug_cfg = {k: v for k, v in (cfg.get("augment") or {}).items() if v}
    if not aug_cfg or "wav" not in inputs:
        return None
    from spoofcm.data.augment import build_augment as build
    return build(aug_cfg)


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
