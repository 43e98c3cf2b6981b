"""Stage 3 for non-neural systems (the LFCC/CQCC GMM baselines): one ``fit`` on full train
utterances per class, dev EER from ``score_wave``, the same ``best.pt``/``latest.pt`` and
``threshold.json`` as a neural run so stages 4–5 treat both alike."""
from __future__ import annotations

import time
from typing import Any, Iterator

import numpy as np
from tqdm import tqdm

from spoofcm.config import dump_yaml
from spoofcm.data.datadir import DataDir, load_data_dir
from spoofcm.errors import SpoofcmError
from spoofcm.train import checkpoint as ckpt
from spoofcm.infer.scoring import eer_of, score_waves, write_threshold
from spoofcm.train.setup import write_env


def waves(data: DataDir, label: str) -> Iterator[np.ndarray]:
    """Full utterances of one class, read one at a time (GMM training streams them)."""
    from spoofcm.audio.io import read_audio
    for utt, lab in data.utt2label.items():
        if lab == label:
            yield read_audio(data.wav[utt])


def fit_non_neural(model: Any, cfg: dict[str, Any], args: Any) -> None:
    exp = args.exp
    if args.resume and (exp / "best.pt").is_file() and (exp / "threshold.json").is_file():
        print(f"{exp}/best.pt exists: training already finished", flush=True)
        return
    exp.mkdir(parents=True, exist_ok=True)
    dump_yaml(cfg, exp / "config.yaml")
    write_env(exp / "env.txt", list(args.argv), {"model_kind": "non-neural"})
    train = load_data_dir(args.data_dir / args.train_set)
    dev = load_data_dir(args.data_dir / args.dev_set)
    if "bonafide" not in train.utt2label.values() or "spoof" not in train.utt2label.values():
        raise SpoofcmError(f"{train.path}/utt2label: training needs both classes")
    t0 = time.time()
    model.fit(waves(train, "bonafide"), waves(train, "spoof"))
    utts = dev.utts
    scores = score_waves(model, dev, utts)
    labels = [1 if dev.utt2label[u] == "bonafide" else 0 for u in utts]
    eer, thr = eer_of(scores, labels)
    entry = {"epoch": 1, "train_loss": float("nan"), "dev_loss": float("nan"), "dev_eer": eer,
             "time": time.time() - t0}
    state = {"model": model.state_dict(), "config": cfg, "epoch": 1, "history": [entry],
             "finished": True, "averaged_epochs": [1], "metrics": entry}
    ckpt.save(state, exp / "latest.pt")
    ckpt.save(state, exp / "best.pt")
    write_threshold(exp, thr, eer, 1)
    print(f"fit {type(model).__name__}: dev_eer {100 * eer:.2f}% time {entry['time']:.1f}s",
          flush=True)
