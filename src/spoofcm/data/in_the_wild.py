"""Stage 0 for In-the-Wild (Müller et al., Interspeech 2022): ``meta.csv`` → trials.

Release layout (``release_in_the_wild/``): ``meta.csv`` and the clips ``0.wav`` …
``31778.wav`` side by side. ``meta.csv`` is a comma-separated table with one header line
``file,speaker,label``; labels are ``bona-fide`` and ``spoof``; speaker names are public
figures' names with spaces (quoted when they hold a comma)::

    file,speaker,label
    0.wav,Alec Guinness,spoof

Into the data dir: utterance id := file name without ``.wav``; ``utt2spk`` and ``utt2cond``
:= the speaker with spaces turned into ``_`` (Kaldi maps cannot hold spaces), so stage 5's
per-condition table is the per-speaker EER; ``utt2attack`` := ``unknown`` for spoofs (the
release names no generator), ``-`` for bona fide.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

from spoofcm.data.asvspoof import Trial, _unique
from spoofcm.errors import SpoofcmError, where

META = "meta.csv"
HEADER = ("file", "speaker", "label")
LABELS = {"bona-fide": "bonafide", "spoof": "spoof"}
SPOOF_ATTACK = "unknown"


def parse_meta(path: str | os.PathLike) -> list[Trial]:
    """The In-the-Wild ``meta.csv`` (header required, each file once)."""
    path = Path(path)
    try:
        fh = open(path, encoding="utf-8-sig", newline="")   # tolerate a BOM
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: meta file not found") from None
    trials = []
    with fh:
        reader = csv.reader(fh)
        for row in reader:
            n = reader.line_num
            fields = tuple(f.strip() for f in row)
            if not any(fields):
                continue
            if n == 1 and fields != HEADER:
                raise SpoofcmError(f"{where(path, n)}: missing header line "
                                   f"'{','.join(HEADER)}' (got '{','.join(row)}')")
            if n == 1:
                continue
            if fields == HEADER:
                raise SpoofcmError(f"{where(path, n)}: the header line is repeated")
            trials.append(_trial(path, n, fields))
    return _unique(path, trials)


def _trial(path: Path, n: int, fields: tuple[str, ...]) -> Trial:
    if len(fields) != len(HEADER):
        raise SpoofcmError(f"{where(path, n)}: expected {len(HEADER)} columns (file,speaker,"
                           f"label), got {len(fields)}")
    file, speaker, label = fields
    if label not in LABELS:
        raise SpoofcmError(f"{where(path, n)}: unknown label '{label}' (expected bona-fide or "
                           "spoof)")
    if not file.endswith(".wav") or "/" in file or len(file) == 4:
        raise SpoofcmError(f"{where(path, n)}: file '{file}' is not a .wav name in the folder")
    spk = "_".join(speaker.split())
    if not spk:
        raise SpoofcmError(f"{where(path, n)}: empty speaker")
    label = LABELS[label]
    return Trial(file[:-4], spk, label, "-" if label == "bonafide" else SPOOF_ATTACK, spk,
                 None, n)


def sources(root: Path) -> tuple[Path, Path]:
    """(meta.csv, audio folder) of the release folder."""
    return root / META, root
