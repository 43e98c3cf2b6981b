"""Synthetic ASVspoof 2021-size keys and scores for the metrics benchmark (official layouts).

LA: 181,566 CM trials (13 attacks x 7 codecs, three subsets) and 785,281 ASV trials;
DF: 611,829 CM trials (5 vocoder types x 9 compressions). Scores are Gaussian with a class-,
attack- and condition-dependent shift, printed with 6 decimals like real score files.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from spoofcm.metrics.keys import DF_COMPRESSIONS, DF_VOCODERS, LA_ATTACKS, LA_CODECS

N_LA, N_ASV, N_DF = 181_566, 785_281, 611_829
SUBSETS = np.array(["eval", "progress", "hidden"])
SUBSET_P = [0.8, 0.1, 0.1]


def _write(path: Path, lines) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
        fh.write("\n")


def _scores(rng, bona: np.ndarray, shift: np.ndarray) -> np.ndarray:
    return np.round(rng.normal(0, 1, bona.size) + np.where(bona, 2.0, -shift), 6)


def make_la(root: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    bona = rng.random(N_LA) < 0.09
    attack = rng.integers(0, len(LA_ATTACKS), N_LA)
    codec = rng.integers(0, len(LA_CODECS), N_LA)
    subset = rng.choice(3, N_LA, p=SUBSET_P)
    trials = [f"LA_E_{i}" for i in rng.permutation(9_000_000)[:N_LA] + 1_000_000]
    att_names = np.array(LA_ATTACKS)[attack]
    cod_names = np.array(LA_CODECS)[codec]
    _write(root / "keys/LA/CM/trial_metadata.txt",
           (f"LA_{i % 67:04d} {t} {c} {'-' if c == 'none' else 'loc_tx'} "
            f"{'bonafide' if b else a} {'bonafide' if b else 'spoof'} notrim {SUBSETS[s]}"
            for i, (t, c, a, b, s) in enumerate(zip(trials, cod_names, att_names, bona, subset))))
    score = _scores(rng, bona, 0.2 * attack - 0.1 * codec)
    order = rng.permutation(N_LA)
    _write(root / "score.txt", (f"{trials[i]} {score[i]:.6f}" for i in order))
    # ASV: 785,281 trials, the same codecs/attacks, labels target / nontarget / spoof
    lab = rng.choice(3, N_ASV, p=[0.2, 0.1, 0.7])
    a_att = np.array(LA_ATTACKS)[rng.integers(0, len(LA_ATTACKS), N_ASV)]
    a_cod = np.array(LA_CODECS)[rng.integers(0, len(LA_CODECS), N_ASV)]
    a_sub = SUBSETS[rng.choice(3, N_ASV, p=SUBSET_P)]
    a_trial = rng.integers(0, N_LA, N_ASV)
    a_score = np.round(rng.normal(0, 1, N_ASV) + np.array([3.0, -1.0, 1.5])[lab], 6)
    names = np.array(["target", "nontarget", "spoof"])[lab]
    _write(root / "keys/LA/ASV/trial_metadata.txt",
           (f"LA_{i % 67:04d} {trials[t]} {c} - {'bonafide' if n != 'spoof' else a} {n} notrim {s}"
            for i, (t, c, a, n, s) in enumerate(zip(a_trial, a_cod, a_att, names, a_sub))))
    _write(root / "asv_score.txt", (f"LA_{i % 67:04d} {trials[t]} {v:.6f}"
                                    for i, (t, v) in enumerate(zip(a_trial, a_score))))


def make_df(root: Path, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    bona = rng.random(N_DF) < 0.04
    voc = rng.integers(0, len(DF_VOCODERS), N_DF)
    comp = rng.integers(0, len(DF_COMPRESSIONS), N_DF)
    subset = rng.choice(3, N_DF, p=SUBSET_P)
    trials = [f"DF_E_{i}" for i in rng.permutation(9_000_000)[:N_DF] + 1_000_000]
    voc_names = np.array(DF_VOCODERS)[voc]
    comp_names = np.array(DF_COMPRESSIONS)[comp]
    _write(root / "keys/DF/CM/trial_metadata.txt",
           (f"LA_{i % 67:04d} {t} {c} asvspoof {'bonafide' if b else 'A10'} "
            f"{'bonafide' if b else 'spoof'} notrim {SUBSETS[s]} {'bonafide' if b else v} - - - -"
            for i, (t, c, v, b, s) in enumerate(zip(trials, comp_names, voc_names, bona, subset))))
    score = _scores(rng, bona, 0.3 * voc - 0.1 * comp)
    _write(root / "score.txt", (f"{trials[i]} {score[i]:.6f}" for i in rng.permutation(N_DF)))
