"""Helpers shared by the SSL tests (imported by tests/ssl and tests/bin)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

GOLDEN_CKPTS = ("xlsr_style", "base_style", "legacy_args_style")
GOLDEN_INPUTS = ("1s", "2p37s")


def make_data_dir(root: Path, seconds: list[float], seed: int = 0) -> Path:
    """A valid data dir with one 16 kHz wav per duration (noise + tone)."""
    from spoofcm.data.datadir import write_data_dir

    rng = np.random.RandomState(seed)
    wav, n = {}, {}
    for i, sec in enumerate(seconds):
        utt = f"utt{i:03d}"
        t = np.arange(int(sec * 16000)) / 16000
        x = 0.1 * np.sin(2 * np.pi * (200 + 30 * i) * t) + 0.05 * rng.randn(len(t))
        path = root / "wav" / f"{utt}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, x.astype(np.float32), 16000, subtype="FLOAT")
        wav[utt], n[utt] = str(path), len(t)
    utts = list(wav)
    return write_data_dir(root / "data", wav=wav, utt2spk={u: "spk1" for u in utts},
                          utt2label={u: "bonafide" for u in utts},
                          utt2attack={u: "-" for u in utts}, utt2cond={u: "-" for u in utts},
                          utt2num_samples=n).path
