"""Tiny trained-looking experiments of every neural mini model, for the export tests.

Configs are the recipe's (``conf/model/<name>.yaml`` merged with the mini overrides) with the
tiny random SSL checkpoint and 0.5 s windows; weights are random (seeded), which is all an
export-fidelity test needs.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

REPO = Path(__file__).resolve().parents[2]
NEURAL = ("fusion_cbam_resnet18", "fusion_resnet18", "ssl_cbam_resnet18", "lfcc_lcnn", "rawnet2",
          "lfcc_ecapa_tdnn", "ssl_aasist")
TINY_SSL_DIM = 64  # hidden size of the "tiny" SSL preset


def tiny_ssl(path: Path) -> Path:
    if not path.is_file():
        from spoofcm.ssl.fairseq_write import write_random_checkpoint
        write_random_checkpoint(path, "tiny", 0)
    return path


def mini_config(name: str, ssl_ckpt: Path, crop_seconds: float = 0.5) -> dict:
    from spoofcm.config import load_config
    cfg = load_config([REPO / "conf" / "model" / f"{name}.yaml",
                       REPO / "egs" / "mini" / "conf" / "model" / f"{name}.yaml"])
    cfg.setdefault("ssl", {}).update(checkpoint=str(ssl_ckpt), dim=TINY_SSL_DIM)
    cfg.setdefault("train", {})["crop_seconds"] = crop_seconds
    return cfg


def make_exp(exp: Path, name: str, ssl_ckpt: Path, seed: int = 0, threshold: float = 0.25,
             crop_seconds: float = 0.5) -> Path:
    """``exp/`` with ``best.pt`` (random weights, the config) and ``threshold.json``."""
    from spoofcm.train import checkpoint as ckpt
    from spoofcm.models.registry import build_model as make_model
    cfg = mini_config(name, tiny_ssl(ssl_ckpt), crop_seconds)
    torch.manual_seed(seed)
    model = make_model(cfg)
    exp.mkdir(parents=True, exist_ok=True)
    ckpt.save({"model": model.state_dict(), "config": cfg, "epoch": 1}, exp / "best.pt")
    (exp / "threshold.json").write_text(json.dumps({"threshold": threshold}))
    return exp


def experiment(export_root: Path, name: str) -> Path:
    """``export_root/exp/<name>``, made once per session (the tiny SSL checkpoint beside it)."""
    exp = export_root / "exp" / name
    if not (exp / "best.pt").is_file():
        make_exp(exp, name, export_root / "tiny_ssl.pt")
    return exp


def speech_like(seconds: float, seed: int = 0, sr: int = 16000) -> np.ndarray:
    """A few harmonics with a moving pitch plus noise: energy in many mel bands."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    f0 = 120 + 40 * np.sin(2 * np.pi * 0.7 * t + seed)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    x = sum(0.2 / k * np.sin(k * phase) for k in range(1, 12))
    return (x + 0.02 * rng.standard_normal(len(t))).astype(np.float32)


def write_wavs(folder: Path, seconds: list[float]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, sec in enumerate(seconds):
        path = folder / f"utt{i}.wav"
        sf.write(path, speech_like(sec, i), 16000, subtype="FLOAT")
        paths.append(path)
    return paths
