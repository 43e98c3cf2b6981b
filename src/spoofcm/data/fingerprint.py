"""Corpus fingerprint: one hash that says which corpus a recipe's numbers come from.

It covers what defines the corpus, not where it lies nor how we prepared it: the content of the
protocol/key file of every prepared set (the official files, via ``set_sources``), every text
file under the 2021 keys root (CM and ASV keys, ASV scores), and the audio file list with sizes
(file name and byte count of every ``wav.scp`` entry). Absolute paths never enter the hash, so
the same corpus copied elsewhere has the same fingerprint.

Stage 0 computes it once into ``data/corpus_fingerprint.json`` (``spoofcm-fingerprint``); stage 5
only reads it (:func:`read_fingerprint`).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from spoofcm.data.asvspoof import SETS, CorpusRoots, set_sources
from spoofcm.data.datadir import read_map
from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import atomic_write_text
from spoofcm.textio import read_json

FINGERPRINT_FILE = "corpus_fingerprint.json"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: protocol/key file not found") from None
    return digest.hexdigest()


def _audio_list(wav_scp: Path) -> tuple[list[str], int]:
    """``utt name size`` lines of a wav.scp (pipes keep their command text) and the byte total."""
    lines, total = [], 0
    for utt, value in read_map(wav_scp, multi=True).items():
        if value.rstrip().endswith("|"):
            lines.append(f"{utt} pipe {value.strip()}")
            continue
        try:
            size = os.stat(value).st_size
        except OSError:
            raise SpoofcmError(f"{wav_scp}: audio of '{utt}' not found: {value}") from None
        lines.append(f"{utt} {Path(value).name} {size}")
        total += size
    return lines, total


MAPS = ("utt2label", "utt2attack", "utt2cond", "utt2spk")


def protocol_of(name: str, roots: CorpusRoots) -> Path | None:
    """The official 2019/2021 protocol or key file of a prepared set; None for sets whose
    corpus roots are not the 2019/2021 ones (ASVspoof 5, In-the-Wild)."""
    try:
        return Path(set_sources(name, roots)[0])
    except SpoofcmError:
        return None


def _maps_sha256(set_dir: Path) -> str:
    """What a protocol says about a set, from the maps data prep wrote from it (labels,
    attacks, conditions, speakers): for corpora whose protocol ``set_sources`` does not know."""
    digest = hashlib.sha256()
    for name in MAPS:
        path = set_dir / name
        if path.is_file():
            digest.update(f"{name} {_file_sha256(path)}\n".encode())
    return digest.hexdigest()


def corpus_fingerprint(data_dir: str | os.PathLike, roots: CorpusRoots) -> dict[str, Any]:
    """The fingerprint of the prepared sets under ``data_dir`` (each ``<set>/wav.scp``)."""
    data = Path(data_dir)
    sets = [s for s in SETS if (data / s / "wav.scp").is_file()]
    if not sets:
        raise SpoofcmError(f"{data}: no prepared set (no <set>/wav.scp); run stage 0 first")
    digest = hashlib.sha256()
    info: dict[str, Any] = {"sets": {}, "keys": {}}
    for name in sets:
        audio, total = _audio_list(data / name / "wav.scp")
        key = protocol_of(name, roots)
        if key is not None:  # a 2019/2021 set: its official protocol or key file
            proto, key_sha = key.name, _file_sha256(key)
        else:  # ASVspoof 5 / In-the-Wild sets: the labelled maps prep wrote
            proto, key_sha = "data-dir maps", _maps_sha256(data / name)
        digest.update(f"set {name}\nprotocol {proto} {key_sha}\n".encode())
        digest.update(("\n".join(audio) + "\n").encode())
        info["sets"][name] = {"protocol": proto, "protocol_sha256": key_sha,
                              "utterances": len(audio), "audio_bytes": total}
    if roots.keys and Path(roots.keys).is_dir():
        keys = Path(roots.keys)
        for path in sorted(p for p in keys.rglob("*.txt") if p.is_file()):
            rel = path.relative_to(keys).as_posix()
            info["keys"][rel] = _file_sha256(path)
            digest.update(f"key {rel} {info['keys'][rel]}\n".encode())
    info["sha256"] = digest.hexdigest()
    return info


def inputs_signature(data_dir: str | os.PathLike, roots: CorpusRoots) -> dict[str, list[int]]:
    """Size and mtime of every file the fingerprint reads first (wav.scp, protocols, keys):
    while they are unchanged a rerun of stage 0 need not hash the corpus again."""
    data = Path(data_dir)
    paths = []
    for name in SETS:
        if (data / name / "wav.scp").is_file():
            key = protocol_of(name, roots)
            paths += [data / name / "wav.scp"] + ([key] if key is not None else
                                                  [data / name / m for m in MAPS])
    if roots.keys and Path(roots.keys).is_dir():
        paths += sorted(p for p in Path(roots.keys).rglob("*.txt") if p.is_file())
    out = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue            # corpus_fingerprint names the missing file
        out[str(Path(path).resolve())] = [st.st_size, st.st_mtime_ns]
    return out


def write_fingerprint(data_dir: str | os.PathLike, roots: CorpusRoots,
                      force: bool = False) -> tuple[dict[str, Any], bool]:
    """Store the fingerprint as ``<data_dir>/corpus_fingerprint.json``; ``(info, computed)``,
    where an up-to-date stored one (same inputs signature) is returned without hashing."""
    signature = inputs_signature(data_dir, roots)
    stored = None if force else read_fingerprint(data_dir)
    if stored is not None and stored.get("inputs") == signature:
        return stored, False
    info = corpus_fingerprint(data_dir, roots)
    info["inputs"] = signature
    atomic_write_text(Path(data_dir) / FINGERPRINT_FILE, json.dumps(info, indent=1) + "\n")
    return info, True


def read_fingerprint(data_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The stored fingerprint of a recipe's data dir, or None when stage 0 did not write one."""
    path = Path(data_dir) / FINGERPRINT_FILE
    if not path.is_file():
        return None
    info = read_json(path)
    if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
        raise SpoofcmError(f"{path}: no 'sha256' entry (rerun spoofcm-fingerprint)")
    return info
