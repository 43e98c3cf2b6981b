"""Test helpers for the training/scoring tests: a tiny corpus with cached streams, and tiny
models (``model.name: helpers.tinycm:build``) so tests need neither the real models nor an SSL model.

Features encode time so alignment is checkable: log-mel frame t has ``t`` in bin 0, SSL frame
i has ``i`` in column 0, and the class shows in the other columns (bona fide > 0, spoof < 0).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from torch import nn

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
REPO = HERE.parents[1]


def env_with_tests() -> dict[str, str]:
    """Environment for subprocesses that must import this module (model.name helpers.tinycm:build)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"
    return env


def write_set(root: Path, name: str, lengths: list[int], labels: list[str], ssl_dim: int = 8,
              n_layers: int = 1, seed: int = 0, wav: bool = True) -> None:
    """data/<name>, dump/logmel/<name>, dump/ssl/tinytag/<name> for utterances of the given
    lengths in samples."""
    import kaldiio
    from spoofcm.data.datadir import write_data_dir
    rng = np.random.default_rng(seed)
    data = root / "data" / name
    audio = root / "audio" / name
    audio.mkdir(parents=True, exist_ok=True)
    utts = [f"{name}_{i:03d}" for i in range(len(lengths))]
    wavs, l2 = {}, {}
    for u, n, lab in zip(utts, lengths, labels):
        sign = 1.0 if lab == "bonafide" else -1.0
        path = audio / f"{u}.wav"
        if wav:
            t = np.arange(n) / 16000
            x = 0.3 * np.sin(2 * np.pi * (300 if sign > 0 else 1200) * t)
            sf.write(path, (x + 0.01 * rng.standard_normal(n)).astype(np.float32), 16000,
                     subtype="PCM_16")
        wavs[u] = str(path)
        l2[u] = lab
    write_data_dir(data, wav=wavs, utt2spk={u: "spk" for u in utts}, utt2label=l2,
                   utt2attack={u: "-" if l2[u] == "bonafide" else "A01" for u in utts},
                   utt2cond={u: "-" for u in utts},
                   utt2num_samples=dict(zip(utts, lengths)))
    lm_dir = root / "dump" / "logmel" / name
    ssl_dir = root / "dump" / "ssl" / "tinytag" / name
    lm_dir.mkdir(parents=True, exist_ok=True)
    ssl_dir.mkdir(parents=True, exist_ok=True)
    with kaldiio.WriteHelper(f"ark,scp:{lm_dir}/feats.ark,{lm_dir}/feats.scp") as wl, \
         open(ssl_dir / "feats.ark", "wb") as fh_ark, open(ssl_dir / "feats.scp", "w") as fh_scp:
        for u, n in zip(utts, lengths):
            sign = 1.0 if l2[u] == "bonafide" else -1.0
            t_l = 1 + (n - 400) // 160
            t_s = 1 + (n - 400) // 320
            lm = rng.standard_normal((t_l, 128)).astype(np.float32) * 0.5 + 0.5 * sign
            lm[:, 0] = np.arange(t_l)
            ss = rng.standard_normal((t_s, n_layers * ssl_dim)).astype(np.float32) * 0.5 + 0.5 * sign
            ss[:, 0] = np.arange(t_s)
            wl(u, lm)
            kaldiio.save_ark(fh_ark, {u: ss.astype(np.float16)}, scp=fh_scp,
                             write_function="numpy")
    (ssl_dir / "layers").write_text("\n".join(
        str(-1 - i) for i in reversed(range(n_layers))) + "\n")
    (ssl_dir / "dim").write_text(f"{ssl_dim}\n")


def make_corpus(root: Path, n_train: int = 12, n_dev: int = 8, wav: bool = True) -> Path:
    """A tiny recipe dir with train and dev sets (some utterances shorter than a 1 s crop)."""
    rng = np.random.default_rng(1)
    for name, n, seed in (("train", n_train, 2), ("dev", n_dev, 3)):
        lengths = [int(x) for x in rng.integers(6000, 30000, size=n)]
        labels = ["bonafide" if i % 2 == 0 else "spoof" for i in range(n)]
        write_set(root, name, lengths, labels, seed=seed, wav=wav)
    return root


def base_config(**train) -> dict:
    cfg = {"model": {"name": "helpers.tinycm:build", "inputs": ["ssl", "logmel"], "dropout": 0.0},
           "ssl": {"checkpoint": "", "layers": [-1], "freeze": True, "cache": True,
                   "cache_dir": "ssl/tinytag"},
           "train": {"seed": 0, "lr": 1e-2, "weight_decay": 1e-4, "batch_size": 4,
                     "max_epochs": 2, "crop_seconds": 1.0, "num_workers": 0,
                     "patience": 10, "select": "eer"}}
    cfg["train"].update(train)
    return cfg


class TinyCM(nn.Module):
    """Mean-pooled streams -> linear -> 2 logits (no batch norm, so DDP equals one process)."""

    def __init__(self, inputs: tuple[str, ...], ssl_dim: int, dropout: float = 0.0,
                 sleep: float = 0.0):
        super().__init__()
        self.sleep = sleep  # seconds per training step: lets a test kill a run mid-epoch
        self.inputs = tuple(inputs)
        width = {"ssl": ssl_dim, "logmel": 128, "wav": 1}
        self.proj = nn.ModuleDict({k: nn.Linear(width[k], 8) for k in self.inputs})
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(8, 2)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        if self.training and self.sleep:
            time.sleep(self.sleep)
        h = 0
        for k in self.inputs:
            x = batch[k].float()
            if k == "wav":
                x = x.abs().unsqueeze(-1)
            elif k in ("ssl", "logmel"):
                x = x.clone()
                x[..., 0] = 0.0  # the time-index column carries no class information
            h = h + torch.tanh(self.proj[k](x)).mean(dim=1)
        return self.out(self.drop(h))


def build(model_cfg: dict, cfg: dict) -> TinyCM:
    dim = int((cfg.get("ssl") or {}).get("dim", 0) or 8)
    return TinyCM(tuple(model_cfg.get("inputs", ["ssl", "logmel"])), dim,
                  float(model_cfg.get("dropout", 0.0)), float(model_cfg.get("sleep", 0.0)))


def write_config(path: Path, cfg: dict) -> Path:
    import yaml
    path.write_text(yaml.safe_dump(cfg))
    return path


def train_cmd(root: Path, exp: Path, config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "spoofcm.bin.train", "--config", str(config),
            "--data-dir", str(root / "data"), "--dump-dir", str(root / "dump"),
            "--exp", str(exp), "--device", "cpu", *extra]


class MeanAbsGMM:
    """A non-neural stand-in for the GMM baselines: ``fit`` on full waves per class, then
    ``score_wave`` = log-odds of a 1-D Gaussian per class on the wave's log mean |x|."""

    is_neural = False
    inputs = ("wav",)

    def __init__(self):
        self.params = torch.zeros(4, dtype=torch.float64)
        self.fitted_counts = (0, 0)

    @staticmethod
    def feat(wave) -> float:
        return float(np.log(np.mean(np.abs(wave)) + 1e-8) + np.log(np.mean(np.abs(np.diff(wave))) + 1e-8))

    def fit(self, bona, spoof) -> None:
        b = np.array([self.feat(w) for w in bona])
        s = np.array([self.feat(w) for w in spoof])
        self.fitted_counts = (len(b), len(s))
        self.params = torch.tensor([b.mean(), b.std() + 1e-3, s.mean(), s.std() + 1e-3],
                                   dtype=torch.float64)

    def score_wave(self, wave) -> float:
        x = self.feat(wave)
        mb, sb, ms, ss = self.params.tolist()
        return float(-0.5 * ((x - mb) / sb) ** 2 - np.log(sb) + 0.5 * ((x - ms) / ss) ** 2 + np.log(ss))

    def state_dict(self) -> dict:
        return {"params": self.params.clone()}

    def load_state_dict(self, state: dict) -> None:
        self.params = state["params"].clone()


def build_gmm(model_cfg: dict, cfg: dict) -> MeanAbsGMM:
    return MeanAbsGMM()


def make_exp(exp: Path, inputs: list[str], ssl_cfg: dict, seed: int = 0, ssl_dim: int = 8) -> None:
    """A 'trained' experiment: random TinyCM weights, config and dev threshold."""
    cfg = base_config()
    cfg["model"]["inputs"] = inputs
    cfg["ssl"] = {**ssl_cfg, "dim": ssl_dim}
    torch.manual_seed(seed)
    model = build(cfg["model"], cfg)
    exp.mkdir(parents=True)
    from spoofcm.train import checkpoint as ckpt
    ckpt.save({"model": model.state_dict(), "config": cfg, "epoch": 1}, exp / "best.pt")
    (exp / "threshold.json").write_text(json.dumps({"threshold": 0.0}))


def tone(sr: int, seconds: float, channels: int = 1) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.01 * np.random.default_rng(0).standard_normal(len(t))
    return np.stack([x] * channels, axis=1) if channels > 1 else x
