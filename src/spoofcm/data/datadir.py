"""Kaldi-style data directories: sorted, unique-keyed text maps (docs/formats.md).

A data dir holds ``wav.scp``, ``utt2spk``, ``spk2utt``, ``utt2label``, ``utt2attack``,
``utt2cond``, optionally ``utt2subset`` and ``utt2num_samples``. Every stage reads it through
:func:`load_data_dir`, which validates it first, so a broken dir fails at stage entry with the
file and line, not deep inside a training loop.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from spoofcm.errors import SpoofcmError, where
from spoofcm.fsutil import atomic_write_text
from spoofcm.textio import read_lines

REQUIRED = ("wav.scp", "utt2spk", "spk2utt", "utt2label", "utt2attack", "utt2cond")
OPTIONAL = ("utt2subset", "utt2num_samples")
from spoofcm.labels import CM_LABELS as LABELS
SUBSETS = ("eval", "progress", "hidden")


def c_sorted(keys) -> list[str]:
    """Sort as ``LC_ALL=C sort`` does (byte order), which is what Kaldi tools expect.

    UTF-8 keeps code-point order, so Python's own string order is the byte order: no need to
    encode every key (a full-size set has 600k of them).
    """
    return sorted(keys)


def read_map(path: str | os.PathLike, multi: bool = False) -> dict[str, str]:
    """Read ``key value`` lines (value may hold spaces; with ``multi`` it is kept whole).

    Fails with file and line on an empty value, a duplicate key, or unsorted keys.
    """
    out: dict[str, str] = {}
    prev: str | None = None
    for n, line in read_lines(path):  # BOM, CRLF and non-UTF-8 as spoofcm.textio decides
        if not line.strip():
            raise SpoofcmError(f"{where(path, n)}: empty line")
        parts = line.split(None, 1)
        if len(parts) != 2 or not parts[1].strip():
            raise SpoofcmError(f"{where(path, n)}: expected 'key value', got '{line}'")
        key, value = parts[0], parts[1].strip()
        if key in out:
            raise SpoofcmError(f"{where(path, n)}: duplicate key '{key}'")
        if prev is not None and key < prev:  # code-point order = UTF-8 byte order (LC_ALL=C)
            raise SpoofcmError(f"{where(path, n)}: not sorted (LC_ALL=C) at key '{key}'")
        prev = key
        out[key] = value
    return out


def write_map(path: str | os.PathLike, mapping: dict[str, str]) -> None:
    """Write a map sorted in C order, atomically."""
    lines = [f"{k} {mapping[k]}\n" for k in c_sorted(mapping)]
    atomic_write_text(path, "".join(lines))


@dataclass
class DataDir:
    """An in-memory, validated data dir."""

    path: Path
    wav: dict[str, str]
    utt2spk: dict[str, str]
    utt2label: dict[str, str]
    utt2attack: dict[str, str]
    utt2cond: dict[str, str]
    utt2subset: dict[str, str] = field(default_factory=dict)
    utt2num_samples: dict[str, int] = field(default_factory=dict)

    @property
    def utts(self) -> list[str]:
        return list(self.wav)

    def __len__(self) -> int:
        return len(self.wav)


def spk2utt_of(utt2spk: dict[str, str]) -> dict[str, str]:
    """Invert utt2spk into spk2utt lines (utterances in C order)."""
    groups: dict[str, list[str]] = {}
    for utt in c_sorted(utt2spk):
        groups.setdefault(utt2spk[utt], []).append(utt)
    return {spk: " ".join(u) for spk, u in groups.items()}


def validate_data_dir(path: str | os.PathLike, check_audio: bool = False) -> DataDir:
    """Load and check a data dir; raise SpoofcmError naming the first problem found."""
    path = Path(path)
    if not path.is_dir():
        raise SpoofcmError(f"{path}: data dir not found")
    for name in REQUIRED:
        if not (path / name).is_file():
            raise SpoofcmError(f"{path / name}: required file missing")
    maps = {name: read_map(path / name) for name in REQUIRED}
    for name in OPTIONAL:
        if (path / name).is_file():
            maps[name] = read_map(path / name)
    keys = set(maps["wav.scp"])
    if not keys:
        raise SpoofcmError(f"{path / 'wav.scp'}: no utterances")
    for name, mapping in maps.items():
        if name == "spk2utt":
            continue
        if set(mapping) != keys:
            missing = sorted(keys - set(mapping))[:3]
            extra = sorted(set(mapping) - keys)[:3]
            raise SpoofcmError(
                f"{path / name}: keys differ from wav.scp (missing {missing}, extra {extra})")
    expected_spk2utt = spk2utt_of(maps["utt2spk"])
    if maps["spk2utt"] != expected_spk2utt:
        raise SpoofcmError(f"{path / 'spk2utt'}: does not match utt2spk (run utils/fix_data_dir.sh)")
    for utt, label in maps["utt2label"].items():
        if label not in LABELS:
            raise SpoofcmError(f"{path / 'utt2label'}: utterance '{utt}' has label '{label}', "
                               f"expected one of {LABELS}")
    for utt, subset in maps.get("utt2subset", {}).items():
        if subset not in SUBSETS:
            raise SpoofcmError(f"{path / 'utt2subset'}: utterance '{utt}' has subset '{subset}'")
    num_samples: dict[str, int] = {}
    for utt, value in maps.get("utt2num_samples", {}).items():
        if not value.isdigit():
            raise SpoofcmError(f"{path / 'utt2num_samples'}: utterance '{utt}' has '{value}'")
        num_samples[utt] = int(value)
    if check_audio:
        for utt, wav in maps["wav.scp"].items():
            if not wav.endswith("|") and not Path(wav).is_file():
                raise SpoofcmError(f"{path / 'wav.scp'}: audio of '{utt}' not found: {wav}")
    return DataDir(path=path, wav=maps["wav.scp"], utt2spk=maps["utt2spk"],
                   utt2label=maps["utt2label"], utt2attack=maps["utt2attack"],
                   utt2cond=maps["utt2cond"], utt2subset=maps.get("utt2subset", {}),
                   utt2num_samples=num_samples)


def load_data_dir(path: str | os.PathLike, check_audio: bool = False) -> DataDir:
    """Validated data dir; the entry point every stage uses."""
    return validate_data_dir(path, check_audio=check_audio)


def write_data_dir(path: str | os.PathLike, wav: dict[str, str], utt2spk: dict[str, str],
                   utt2label: dict[str, str], utt2attack: dict[str, str],
                   utt2cond: dict[str, str], utt2subset: dict[str, str] | None = None,
                   utt2num_samples: dict[str, int] | None = None) -> DataDir:
    """Write every map of a data dir (sorted, atomically), then validate what was written."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    write_map(path / "wav.scp", wav)
    write_map(path / "utt2spk", utt2spk)
    write_map(path / "spk2utt", spk2utt_of(utt2spk))
    write_map(path / "utt2label", utt2label)
    write_map(path / "utt2attack", utt2attack)
    write_map(path / "utt2cond", utt2cond)
    if utt2subset:
        write_map(path / "utt2subset", utt2subset)
    if utt2num_samples:
        write_map(path / "utt2num_samples", {k: str(v) for k, v in utt2num_samples.items()})
    return validate_data_dir(path)
