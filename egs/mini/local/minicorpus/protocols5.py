"""Protocols of the ASVspoof 5-style part and the In-the-Wild-style ``meta.csv``.

ASVspoof 5 Track 1 protocols (``ASVspoof5_protocols/ASVspoof5.{train,dev.track_1,
eval.track_1}.tsv``): ten whitespace-separated columns, no header::

    SPEAKER_ID FLAC_FILE_NAME SPEAKER_GENDER CODEC CODEC_Q CODEC_SEED ATTACK_TAG ATTACK_LABEL KEY TMP

CODEC is ``-`` (uncoded) or C01-C11, CODEC_Q a quality level (``-`` here: one setting per
condition), CODEC_SEED ``-``; ATTACK_TAG ``AC1`` for spoofs, ``-`` for bona fide.
In-the-Wild ``meta.csv``: header ``file,speaker,label``; labels ``bona-fide``/``spoof``.
"""
from __future__ import annotations

import csv
import io

from .plan import Utt
from .plan5 import Plan5
from .sources import Speaker

ASV5_DIR = "ASVspoof5"
ASV5_PROTOCOLS = {"t5": "ASVspoof5.train.tsv", "d5": "ASVspoof5.dev.track_1.tsv",
                  "e5": "ASVspoof5.eval.track_1.tsv"}
ITW_DIR = "release_in_the_wild"


def protocol_asv5(utts: list[Utt], plan5: Plan5, speakers: list[Speaker]) -> str:
    """Lines of one ASVspoof 5 Track 1 protocol, sorted by file name (as released)."""
    gender = {s.spk: s.gender for s in speakers}
    lines = []
    for u in sorted(utts, key=lambda u: u.uid):
        bona = u.label == "bonafide"
        tag, attack = ("-", "bonafide") if bona else ("AC1", u.attack)
        lines.append(f"{plan5.speaker_ids[u.spk]} {u.uid} {gender[u.spk]} {u.cond} - - {tag} "
                     f"{attack} {u.label} -\n")
    return "".join(lines)


def itw_meta(utts: list[Utt], plan5: Plan5) -> str:
    """The In-the-Wild ``meta.csv``, rows in file-number order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "speaker", "label"])
    for u in sorted(utts, key=lambda u: int(u.uid)):
        writer.writerow([f"{u.uid}.wav", plan5.itw_names[u.spk],
                         "bona-fide" if u.label == "bonafide" else "spoof"])
    return out.getvalue()
