"""Stage-4 stand-in at full size: one synthetic score per trial of a data dir.

Stage 4 on 611,829 DF trials takes hours on two CPU cores, but stage 5 must be measured at full
size; its cost depends on the number of trials, not on where the scores came from. Scores are
Gaussian (bona fide +2, spoofed -1, unit variance), printed with 6 decimals in random trial
order like a merged score.txt. The experiment's config.yaml is copied from a trained smaller run
so that stage 5's report names the model.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np


def write_scores(data_dir: Path, out: Path, seed: int) -> int:
    utts, labels = [], []
    for line in (data_dir / "utt2label").read_text().splitlines():
        u, lab = line.split()
        utts.append(u)
        labels.append(lab == "bonafide")
    rng = np.random.default_rng(seed)
    score = rng.normal(0, 1, len(utts)) + np.where(labels, 2.0, -1.0)
    order = rng.permutation(len(utts))
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".score.txt.tmp"
    tmp.write_text("".join(f"{utts[i]} {score[i]:.6f}\n" for i in order.tolist()))
    tmp.replace(out / "score.txt")
    (out / ".done").touch()
    return len(utts)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True, help="recipe data/ folder")
    p.add_argument("--exp", required=True, help="experiment folder to fill (exp/<tag>)")
    p.add_argument("--config-from", required=True, help="config.yaml of a trained run")
    p.add_argument("--sets", required=True, help="space-separated sets, e.g. 'dev eval_df21'")
    args = p.parse_args()
    exp = Path(args.exp)
    exp.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.config_from, exp / "config.yaml")
    for seed, s in enumerate(args.sets.split()):
        n = write_scores(Path(args.data) / s, exp / "scores" / s, seed)
        print(f"fake_scores.py: {n:,} synthetic scores -> {exp / 'scores' / s / 'score.txt'}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
