"""ASVspoof 5-style and In-the-Wild-style layouts derived from a finished mini corpus.

Deterministic re-packaging, no new rendering: the generated audio and its labels are laid out
again under the names and protocol formats of the two newer benchmarks, so their recipes
(egs/asvspoof5, egs/in_the_wild) run end to end on the mini corpus without touching the plan
(and so without changing any 2019/2021 file or result):

* ``ASVspoof5/`` — ``ASVspoof5_protocols/ASVspoof5.{train,dev.track_1,eval.track_1}.tsv``
  (ten whitespace-separated columns, no header, as released) and ``flac_T/``, ``flac_D/``,
  ``flac_E_eval/`` (relative symlinks to the rendered FLACs). Train/dev come from the 2019-style
  train/dev parts, eval from the DF-style part: speakers renamed ``T_/D_/E_<nnnn>``, trials
  ``T_/D_/E_<10 digits>``, eval attacks renumbered from A17 (unseen in train/dev), the DF
  compressions as codec conditions C01… (``nocodec`` → ``-``, CODEC_Q ``0``).
* ``release_in_the_wild/`` — ``meta.csv`` (``file,speaker,label``; ``bona-fide``/``spoof``;
  speakers named ``Speaker <n>`` with a space, like the real names) and ``<n>.wav`` (16-bit PCM)
  numbered in a seeded random order, from the LA-style eval part.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import soundfile as sf

DONE = ".done"
ASV5 = "ASVspoof5"
ITW = "release_in_the_wild"
_P19 = "LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.{}.txt"
#: ASVspoof 5 set → (prefix, protocol file, audio folder, source protocol, source flac folder)
_SETS = {
    "train": ("T", "ASVspoof5.train.tsv", "flac_T", _P19.format("train.trn"),
              "LA/ASVspoof2019_LA_train/flac"),
    "dev": ("D", "ASVspoof5.dev.track_1.tsv", "flac_D", _P19.format("dev.trl"),
            "LA/ASVspoof2019_LA_dev/flac"),
    "eval": ("E", "ASVspoof5.eval.track_1.tsv", "flac_E_eval", "keys/DF/CM/trial_metadata.txt",
             "ASVspoof2021_DF_eval/flac"),
}
FIRST_EVAL_ATTACK = 17


def _rows(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def _source_trials(src: Path, part: str) -> list[tuple[str, str, str, str, str]]:
    """(speaker, trial, label, attack, condition) of a source part, sorted by trial."""
    rows = _rows(src / _SETS[part][3])
    if part == "eval":   # 2021 DF key: speaker trial compression source attack label ...
        out = [(r[0], r[1], r[5], r[4], r[2]) for r in rows]
    else:                # 2019 protocol: speaker trial - attack label
        out = [(r[0], r[1], r[4], r[3], "-") for r in rows]
    return sorted(out, key=lambda t: t[1])


def _link(target: Path, link: Path) -> None:
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(target, link.parent))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def derive_asvspoof5(src: Path, out: Path) -> None:
    """Write ``out/ASVspoof5`` from the corpus at ``src``."""
    root = out / ASV5
    eval_rows = _source_trials(src, "eval")
    eval_attacks = sorted({a for _, _, lab, a, _ in eval_rows if lab == "spoof"})
    attack_map = {a: f"A{FIRST_EVAL_ATTACK + i:02d}" for i, a in enumerate(eval_attacks)}
    codecs = sorted({c for *_, c in eval_rows if c != "nocodec"})
    codec_map = {c: f"C{i + 1:02d}" for i, c in enumerate(codecs)}
    for part, (prefix, proto, folder, _, flac) in _SETS.items():
        trials = eval_rows if part == "eval" else _source_trials(src, part)
        speakers = {s: f"{prefix}_{i:04d}" for i, s in enumerate(sorted({t[0] for t in trials}))}
        lines = []
        for k, (spk, trial, label, attack, cond) in enumerate(trials):
            uid = f"{prefix}_{k:010d}"
            bona = label == "bonafide"
            if part == "eval":
                attack = attack_map.get(attack, attack)
                codec, q = ("-", "0") if cond == "nocodec" else (codec_map[cond], "1")
            else:
                codec, q = "-", "-"
            tag, attack_label = ("-", "bonafide") if bona else ("AC1", attack)
            lines.append(f"{speakers[spk]} {uid} - {codec} {q} - {tag} {attack_label} "
                         f"{label} -\n")
            (root / folder).mkdir(parents=True, exist_ok=True)
            _link(src / flac / f"{trial}.flac", root / folder / f"{uid}.flac")
        _write(root / "ASVspoof5_protocols" / proto, "".join(lines))


def derive_in_the_wild(src: Path, out: Path, seed: int = 0) -> None:
    """Write ``out/release_in_the_wild`` (meta.csv + numbered wav) from the LA-style eval part."""
    root = out / ITW
    root.mkdir(parents=True, exist_ok=True)
    rows = sorted(_rows(src / "keys/LA/CM/trial_metadata.txt"), key=lambda r: r[1])
    numbers = np.random.default_rng([seed, 2022]).permutation(len(rows))
    speakers = {s: f"Speaker {i + 1}" for i, s in enumerate(sorted({r[0] for r in rows}))}
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["file", "speaker", "label"])
    for n, r in sorted(zip(numbers, rows), key=lambda x: int(x[0])):
        audio, sr = sf.read(str(src / "ASVspoof2021_LA_eval/flac" / f"{r[1]}.flac"),
                            dtype="int16")
        tmp = root / f".{n}.wav.tmp"
        sf.write(str(tmp), audio, sr, format="WAV", subtype="PCM_16")
        tmp.replace(root / f"{n}.wav")
        label = "bona-fide" if r[5] == "bonafide" else "spoof"
        writer.writerow([f"{n}.wav", speakers[r[0]], label])
    _write(root / "meta.csv", table.getvalue())


def derive(src: Path, out: Path, seed: int = 0) -> bool:
    """Both layouts under ``out`` (may equal ``src``); False when already done."""
    marker = out / ".layouts5.done"
    if marker.is_file():
        return False
    if not (src / DONE).is_file():
        raise FileNotFoundError(f"{src}: not a finished mini corpus (no {DONE})")
    derive_asvspoof5(src, out)
    derive_in_the_wild(src, out, seed)
    _write(marker, f"src={src} seed={seed}\n")
    return True
