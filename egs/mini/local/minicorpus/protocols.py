"""Protocol and key files in the official ASVspoof 2019 LA and 2021 LA/DF formats.

2019 CM protocol: `SPEAKER UTT - ATTACK|- bonafide|spoof`. 2021 LA CM key (8 columns):
`speaker trial codec transmission attack label trim subset`; LA ASV key: the same columns with
label target/nontarget/spoof and the claimed speaker first; DF CM key (13 columns):
`speaker trial compression source attack label trim subset vocoder task team gender-pair language`.
ASV scores `speaker trial score` follow the ASV key line by line (the official scorer pairs them
by line number).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .attacks import ATTACKS
from .plan import Utt

PROTOCOL_DIR = "LA/ASVspoof2019_LA_cm_protocols"
PROTOCOLS = {"train": "ASVspoof2019.LA.cm.train.trn.txt", "dev": "ASVspoof2019.LA.cm.dev.trl.txt"}
LA_CM_KEY = "keys/LA/CM/trial_metadata.txt"
LA_ASV_KEY = "keys/LA/ASV/trial_metadata.txt"
LA_ASV_SCORES = "keys/LA/ASV/ASVtorch_kaldi/score.txt"
DF_CM_KEY = "keys/DF/CM/trial_metadata.txt"


def _sorted(utts: list[Utt]) -> list[Utt]:
    return sorted(utts, key=lambda u: (u.spk, u.uid))


def protocol_2019(utts: list[Utt]) -> str:
    """Lines of a 2019 LA CM protocol."""
    return "".join(f"{u.spk} {u.uid} - {u.attack} {u.label}\n" for u in _sorted(utts))


def _attack_col(u: Utt) -> str:
    return "bonafide" if u.label == "bonafide" else u.attack


def la_cm_key(utts: list[Utt]) -> str:
    """Lines of the 2021 LA CM key."""
    return "".join(f"{u.spk} {u.uid} {u.cond} {u.tx} {_attack_col(u)} {u.label} {u.trim} {u.subset}\n"
                   for u in _sorted(utts))


def df_cm_key(utts: list[Utt]) -> str:
    """Lines of the 2021 DF CM key (source `asvspoof`; VCC-only columns are `-`)."""
    lines = []
    for u in _sorted(utts):
        voc = "bonafide" if u.label == "bonafide" else ATTACKS[u.attack].vocoder
        lines.append(f"{u.spk} {u.uid} {u.cond} asvspoof {_attack_col(u)} {u.label} {u.trim} "
                     f"{u.subset} {voc} - - - -\n")
    return "".join(lines)


def asv_trials(la: list[Utt], seed: int) -> list[tuple[str, Utt, str]]:
    """(claimed speaker, utterance, target|nontarget|spoof) for the LA eval trials.

    Every bona fide trial is tested against its own speaker (target) and one other eval speaker
    (non-target); every spoof against the speaker it imitates.
    """
    rng = np.random.default_rng([seed, 2021])
    spks = sorted({u.spk for u in la})
    out = []
    for u in _sorted(la):
        if u.label == "spoof":
            out.append((u.spk, u, "spoof"))
            continue
        out.append((u.spk, u, "target"))
        others = [s for s in spks if s != u.spk]
        out.append((others[int(rng.integers(len(others)))], u, "nontarget"))
    return out


def asv_key(trials: list[tuple[str, Utt, str]]) -> str:
    """Lines of the 2021 LA ASV key, in trial order."""
    return "".join(f"{c} {u.uid} {u.cond} {u.tx} {_attack_col(u)} {lab} {u.trim} {u.subset}\n"
                   for c, u, lab in trials)


def asv_scores(trials: list[tuple[str, Utt, str]], scores: list[float]) -> str:
    """Lines of the ASV score file, aligned with `asv_key` line by line."""
    return "".join(f"{c} {u.uid} {s:.6f}\n" for (c, u, _), s in zip(trials, scores))


def write_text(root: Path, rel: str, text: str) -> None:
    """Write one protocol/key file (the whole corpus is renamed into place at the end)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
