"""Stage 0: the official ASVspoof 2019 LA protocols and 2021 LA/DF keys → data dirs.

Formats (single spaces, one trial a line):

* 2019 LA CM protocol, 5 columns: ``SPEAKER UTT - SYSTEM KEY`` (system ``-`` for bona fide,
  ``A01``…``A19`` for spoof; key ``bonafide``/``spoof``).
* 2021 LA CM key ``LA/CM/trial_metadata.txt``, 8 columns:
  ``speaker trial codec transmission attack label trim subset`` (attack ``bonafide`` or ``A07``…).
* 2021 DF CM key ``DF/CM/trial_metadata.txt``, 13 columns: ``speaker trial compression source
  attack label trim subset vocoder task team gender-pair language``.

What goes into the data dir: ``utt2attack`` holds the 2019/2021 LA attack id, but for DF the
**vocoder type** (``traditional_vocoder``, ``neural_vocoder_autoregressive``, …), because the
official DF tables decompose EER by vocoder (DF attack ids mix ASVspoof and VCC team names);
``-`` for bona fide everywhere. ``utt2cond`` holds the LA codec / DF compression (``-`` for 2019),
``utt2subset`` the 2021 subset, ``utt2num_samples`` the length at 16 kHz (what
:func:`spoofcm.audio.io.read_audio` returns), from the FLAC header.

The audio folder must match the key both ways. A key line without audio is an error unless
``allow_missing_audio``, which drops those trials and reports how many (never silently).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from tqdm import tqdm

from spoofcm.audio.io import audio_info, resampled_length
from spoofcm.data.datadir import LABELS, SUBSETS, DataDir, write_data_dir
from spoofcm.errors import SpoofcmError, where
from spoofcm.textio import read_lines

LA19_PROTOCOLS = "ASVspoof2019_LA_cm_protocols"
#: the last four are read by data/asvspoof5.py and data/in_the_wild.py
SETS = ("train", "dev", "eval_la19", "eval_la21", "eval_df21",
        "train_asv5", "dev_asv5", "eval_asv5", "eval_itw")
HEADER_THREADS, HEADER_CHUNK = 8, 1024   # stage 0's parallel audio-header reads


@dataclass(frozen=True)
class Trial:
    """One CM trial as the data dir needs it; ``line`` points back into the key for errors."""

    utt: str
    spk: str
    label: str
    attack: str
    cond: str
    subset: str | None
    line: int


@dataclass(frozen=True)
class CorpusRoots:
    """The corpus roots that ``db.sh`` exports (docs/formats.md)."""

    la19: str | None = None
    la21_eval: str | None = None
    df21_eval: str | None = None
    keys: str | None = None
    asv5: str | None = None
    itw: str | None = None

    @classmethod
    def from_env(cls) -> "CorpusRoots":
        env = os.environ.get
        return cls(env("ASVSPOOF2019_LA"), env("ASVSPOOF2021_LA_EVAL"),
                   env("ASVSPOOF2021_DF_EVAL"), env("ASVSPOOF2021_KEYS"), env("ASVSPOOF5"),
                   env("IN_THE_WILD"))


def _columns(path: Path, ncols: int) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` of a whitespace-separated table; blank lines skipped."""
    for n, line in read_lines(path, "protocol/key file"):  # the spoofcm.textio policy
        fields = line.split()
        if not fields:
            continue
        if len(fields) != ncols:
            raise SpoofcmError(f"{where(path, n)}: expected {ncols} columns, got "
                               f"{len(fields)}: '{line.strip()}'")
        yield n, fields


def _check_label(path: Path, n: int, label: str, attack: str, bonafide_attack: str) -> str:
    """Validate the label and that bona fide ↔ no attack; return the data-dir attack value."""
    if label not in LABELS:
        raise SpoofcmError(f"{where(path, n)}: unknown label '{label}' (expected {LABELS})")
    if (label == "bonafide") != (attack == bonafide_attack):
        raise SpoofcmError(f"{where(path, n)}: label '{label}' with attack '{attack}' "
                           f"(bona fide trials have attack '{bonafide_attack}')")
    return "-" if label == "bonafide" else attack


def _check_subset(path: Path, n: int, subset: str) -> str:
    if subset not in SUBSETS:
        raise SpoofcmError(f"{where(path, n)}: unknown subset '{subset}' (expected {SUBSETS})")
    return subset


def parse_la19_protocol(path: str | os.PathLike) -> list[Trial]:
    """ASVspoof 2019 LA CM protocol (train/dev/eval)."""
    path = Path(path)
    return _unique(path, [
        Trial(utt, spk, key, _check_label(path, n, key, system, "-"), "-", None, n)
        for n, (spk, utt, _, system, key) in _columns(path, 5)])


def parse_la21_key(path: str | os.PathLike) -> list[Trial]:
    """ASVspoof 2021 LA CM key (``LA/CM/trial_metadata.txt``)."""
    path = Path(path)
    return _unique(path, [
        Trial(utt, spk, label, _check_label(path, n, label, attack, "bonafide"), codec,
              _check_subset(path, n, subset), n)
        for n, (spk, utt, codec, _tx, attack, label, _trim, subset) in _columns(path, 8)])


def parse_df21_key(path: str | os.PathLike) -> list[Trial]:
    """ASVspoof 2021 DF CM key (``DF/CM/trial_metadata.txt``); attack := vocoder type."""
    path = Path(path)
    trials = []
    for n, fields in _columns(path, 13):
        spk, utt, compression, _src, attack, label, _trim, subset, vocoder = fields[:9]
        _check_label(path, n, label, attack, "bonafide")
        trials.append(Trial(utt, spk, label, _check_label(path, n, label, vocoder, "bonafide"),
                            compression, _check_subset(path, n, subset), n))
    return _unique(path, trials)


def _unique(path: Path, trials: list[Trial]) -> list[Trial]:
    seen: dict[str, int] = {}
    for t in trials:
        if t.utt in seen:
            raise SpoofcmError(f"{where(path, t.line)}: duplicate trial id '{t.utt}' "
                               f"(first on line {seen[t.utt]})")
        seen[t.utt] = t.line
    if not trials:
        raise SpoofcmError(f"{path}: no trials")
    return trials


Parser = Callable[[str | os.PathLike], list[Trial]]


def set_sources(name: str, roots: CorpusRoots) -> tuple[Path, Path, Parser]:
    """``(key/protocol file, flac folder, parser)`` of a set in the official layouts."""
    def need(value: str | None, var: str) -> Path:
        if not value:
            raise SpoofcmError(f"set '{name}' needs ${var} (set it in db.sh)")
        return Path(value)

    if name in ("train", "dev", "eval_la19"):
        root = need(roots.la19, "ASVSPOOF2019_LA")
        part, suffix = {"train": ("train", "trn"), "dev": ("dev", "trl"),
                        "eval_la19": ("eval", "trl")}[name]
        return (root / LA19_PROTOCOLS / f"ASVspoof2019.LA.cm.{part}.{suffix}.txt",
                root / f"ASVspoof2019_LA_{part}" / "flac", parse_la19_protocol)
    if name == "eval_la21":
        return (need(roots.keys, "ASVSPOOF2021_KEYS") / "LA" / "CM" / "trial_metadata.txt",
                need(roots.la21_eval, "ASVSPOOF2021_LA_EVAL") / "flac", parse_la21_key)
    if name == "eval_df21":
        return (need(roots.keys, "ASVSPOOF2021_KEYS") / "DF" / "CM" / "trial_metadata.txt",
                need(roots.df21_eval, "ASVSPOOF2021_DF_EVAL") / "flac", parse_df21_key)
    if name.endswith("_asv5"):
        from spoofcm.data import asvspoof5
        return (*asvspoof5.sources(name, need(roots.asv5, "ASVSPOOF5")), asvspoof5.parse_protocol)
    if name == "eval_itw":
        from spoofcm.data import in_the_wild
        return (*in_the_wild.sources(need(roots.itw, "IN_THE_WILD")), in_the_wild.parse_meta)
    raise SpoofcmError(f"unknown set '{name}' (expected one of {SETS})")


def list_audio(audio_dir: Path) -> dict[str, str]:
    """``utt → absolute path`` of every ``*.flac`` / ``*.wav`` in ``audio_dir`` (one directory
    scan). Paths stay strings: 600k ``Path`` objects would cost seconds and hundreds of MB."""
    if not audio_dir.is_dir():
        raise SpoofcmError(f"{audio_dir}: audio folder not found")
    root = str(audio_dir.resolve())
    found: dict[str, str] = {}
    with os.scandir(root) as it:
        for e in it:
            utt, ext = os.path.splitext(e.name)
            if ext in (".flac", ".wav"):
                if utt in found:
                    raise SpoofcmError(f"{os.path.join(root, e.name)}: a second audio file for "
                                       f"'{utt}' (also {os.path.basename(found[utt])})")
                found[utt] = os.path.join(root, e.name)
    return found


def match_audio(trials: list[Trial], key: Path, audio_dir: Path,
                allow_missing_audio: bool = False) -> tuple[list[Trial], dict[str, str], int]:
    """Pair trials with their FLAC files; return ``(kept trials, utt → path, dropped count)``.

    Audio without a key line is always an error (the key would be the wrong one); a key line
    without audio is an error unless ``allow_missing_audio``.
    """
    audio = list_audio(audio_dir)
    missing = [t for t in trials if t.utt not in audio]
    if missing and not allow_missing_audio:
        t = missing[0]
        raise SpoofcmError(f"{where(key, t.line)}: no audio {audio_dir / t.utt}.flac/.wav "
                           f"({len(missing)} of {len(trials)} key lines lack audio; "
                           f"--allow-missing-audio drops them)")
    keyed = {t.utt for t in trials}
    extra = sorted(u for u in audio if u not in keyed)
    if extra:
        raise SpoofcmError(f"{audio[extra[0]]}: audio file not in {key} "
                           f"({len(extra)} audio files have no key line)")
    kept = [t for t in trials if t.utt in audio]
    if not kept:
        raise SpoofcmError(f"{key}: no trial has audio in {audio_dir}")
    return kept, {t.utt: audio[t.utt] for t in kept}, len(missing)


def num_samples_16k(path: str | os.PathLike) -> int:
    """Length at 16 kHz from the header; an empty file is an error here, not in stage 1."""
    frames, sr, _ = audio_info(path)
    if frames == 0:
        raise SpoofcmError(f"{path}: audio file holds no samples")
    return resampled_length(frames, sr)


def read_lengths(paths: list[str], desc: str, progress: bool = True) -> list[int]:
    """:func:`num_samples_16k` of every path, in order, read by a few threads.

    A full-size set is 600k header reads: on a network file system each waits on a round trip,
    so several in flight at once cut the wall time (the GIL is released while waiting).
    """
    chunks = [paths[i:i + HEADER_CHUNK] for i in range(0, len(paths), HEADER_CHUNK)]
    out: list[int] = []
    with ThreadPoolExecutor(HEADER_THREADS) as pool, \
            tqdm(total=len(paths), desc=desc, unit="utt", disable=not progress,
                 mininterval=2.0) as bar:
        for lengths in pool.map(lambda c: [num_samples_16k(p) for p in c], chunks):
            out.extend(lengths)
            bar.update(len(lengths))
    return out


def prepare_set(name: str, roots: CorpusRoots, out: str | os.PathLike,
                allow_missing_audio: bool = False, progress: bool = True) -> tuple[DataDir, int]:
    """Write data dir ``out`` for set ``name``; return it and the number of dropped trials."""
    key, audio_dir, parser = set_sources(name, roots)
    trials, paths, dropped = match_audio(parser(key), key, audio_dir, allow_missing_audio)
    lengths = read_lengths([paths[t.utt] for t in trials], f"prep {name}", progress)
    lengths = {t.utt: n for t, n in zip(trials, lengths)}
    is21 = trials[0].subset is not None
    data = write_data_dir(
        out,
        wav={t.utt: paths[t.utt] for t in trials},
        utt2spk={t.utt: t.spk for t in trials},
        utt2label={t.utt: t.label for t in trials},
        utt2attack={t.utt: t.attack for t in trials},
        utt2cond={t.utt: t.cond for t in trials},
        utt2subset={t.utt: t.subset for t in trials} if is21 else None,
        utt2num_samples=lengths)
    return data, dropped
