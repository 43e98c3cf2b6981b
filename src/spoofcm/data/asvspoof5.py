"""Stage 0 for ASVspoof 5: the official Track 1 protocols → trials for the data dirs.

Release layout (Zenodo record 14498691; ``ASVspoof5_protocols.tar.gz`` unpacks to
``ASVspoof5_protocols/``)::

    ASVspoof5_protocols/ASVspoof5.train.tsv          flac_T/T_0000000000.flac ...
    ASVspoof5_protocols/ASVspoof5.dev.track_1.tsv    flac_D/
    ASVspoof5_protocols/ASVspoof5.eval.track_1.tsv   flac_E_eval/

Despite the ``.tsv`` name the protocols are whitespace-separated, without a header, ten
columns a line::

    SPEAKER_ID FLAC_FILE_NAME SPEAKER_GENDER CODEC CODEC_Q CODEC_SEED ATTACK_TAG ATTACK_LABEL
    KEY TMP          (one line in the file)
    T_4850 T_0000000000 F - - - AC3 A05 spoof -
    T_3734 T_0000000011 F - - - - bonafide bonafide -

Into the data dir: ``utt2attack`` := ATTACK_LABEL (A01…A32; ``-`` for bona fide),
``utt2cond`` := CODEC (C01…C11, ``none`` for the uncoded ``-``), so the per-condition table of
stage 5 is the per-codec table of the ASVspoof 5 papers.
"""
from __future__ import annotations

import os
from pathlib import Path

from spoofcm.data.asvspoof import Trial, _check_label, _columns, _unique
from spoofcm.errors import SpoofcmError, where

PROTOCOLS = "ASVspoof5_protocols"
#: set name → (protocol file, audio folder)
SETS = {"train_asv5": ("ASVspoof5.train.tsv", "flac_T"),
        "dev_asv5": ("ASVspoof5.dev.track_1.tsv", "flac_D"),
        "eval_asv5": ("ASVspoof5.eval.track_1.tsv", "flac_E_eval")}
NCOLS = 10
UNCODED = "none"


def parse_protocol(path: str | os.PathLike) -> list[Trial]:
    """An ASVspoof 5 Track 1 protocol (train, dev.track_1 or eval.track_1)."""
    path = Path(path)
    trials = []
    for n, fields in _columns(path, NCOLS):
        spk, utt, _gender, codec, _q, _seed, _tag, attack, key, _tmp = fields
        if n == 1 and key.upper() == "KEY":
            raise SpoofcmError(f"{where(path, n)}: a header line; the official protocol has "
                               "none (remove it)")
        if key.upper() == "KEY" and attack.upper() == "ATTACK_LABEL":
            raise SpoofcmError(f"{where(path, n)}: a repeated header line inside the protocol")
        attack = _check_label(path, n, key, attack, "bonafide")
        trials.append(Trial(utt, spk, key, attack, UNCODED if codec == "-" else codec, None, n))
    return _unique(path, trials)


def sources(name: str, root: Path) -> tuple[Path, Path]:
    """(protocol file, audio folder) of an ASVspoof 5 set under the release root."""
    protocol, folder = SETS[name]
    return root / PROTOCOLS / protocol, root / folder
