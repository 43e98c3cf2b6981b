"""Read the ASVspoof 5 evaluation-package files: CM and SASV score and key TSVs.

Each file has one header line naming its columns (the organisers read them by name, so the
column order is free and extra columns are ignored); rows are matched between score and key
by ``filename`` (Track 1) or by the pair (``spk``, ``filename``) (Track 2). Any problem stops
with ``file:line: reason``: missing, unknown or repeated header, wrong column count, unknown
label, non-numeric score, repeated trial, trial in one file and not the other. Parsing is the
vectorised :mod:`spoofcm.metrics.fastio`, so a million-line file takes about a second.

The Track 1 key may also be the released protocol itself (``ASVspoof5.eval.track_1.tsv``: ten
whitespace-separated columns, no header, KEY in column 9); its attack (column 8) and codec
(column 4) then give the per-attack and per-codec tables.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spoofcm.errors import SpoofcmError, where
from spoofcm.labels import BONAFIDE, CM_LABELS, SPOOF
from spoofcm.metrics.fastio import _mix, encode, read_columns, text, words
from spoofcm.metrics.keys import Trials, parse_scores

#: header names the organisers' loader renames to ours
ALIASES = {"trial_anon": "filename", "tar_spk_anon": "spk", "cm_label": "cm-label",
           "asv_label": "asv-label"}

ASV_LABELS = ("target", "nontarget", "spoof")
#: the Track 1 protocol as a key: column count and (filename, cm-label, attack, codec) columns
PROTOCOL_LAYOUT = (10, (1, 8, 7, 3))
UNCODED = "none"


def _header(path: Path, wanted: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """Column count and the index of each wanted column, from the first line."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline()
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise SpoofcmError(f"{path}: is a directory, expected a file") from None
    names = [ALIASES.get(t, t) for t in first.decode("utf-8", "replace").split()]
    if not names:
        raise SpoofcmError(f"{where(path, 1)}: empty first line (expected the header "
                           f"'{' '.join(wanted)}')")
    missing = [w for w in wanted if w not in names]
    if missing:
        got = first.decode("utf-8", "replace").strip()
        raise SpoofcmError(f"{where(path, 1)}: missing header line or column '{missing[0]}': "
                           f"expected a header naming '{' '.join(wanted)}', got '{got}'")
    for name in wanted:
        if names.count(name) > 1:
            raise SpoofcmError(f"{where(path, 1)}: column '{name}' appears twice in the header")
    return len(names), {w: names.index(w) for w in wanted}


def read_table(path: str | os.PathLike, wanted: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The ``wanted`` columns (byte strings) of a headed table, header row removed."""
    path = Path(path)
    ncols, index = _header(path, wanted)
    cols = read_columns(path, ncols, tuple(index[w] for w in wanted))
    header = cols[0][0]
    again = np.flatnonzero(cols[0][1:] == header)
    if again.size:
        raise SpoofcmError(f"{where(path, int(again[0]) + 2)}: the header line is repeated")
    if cols[0].size == 1:
        raise SpoofcmError(f"{path}: no trials after the header line")
    return {w: c[1:] for w, c in zip(wanted, cols)}


def _labels(path: Path, values: np.ndarray, allowed: tuple[str, ...], what: str,
            first: int = 2) -> np.ndarray:
    codes, names = encode(values, allowed)
    bad = [i for i, n in enumerate(names) if n not in allowed]
    if bad:
        i = int(np.flatnonzero(np.isin(codes, bad))[0])
        raise SpoofcmError(f"{where(path, i + first)}: unknown {what} '{names[codes[i]]}' "
                           f"(expected one of {', '.join(allowed)})")
    return codes


def _trial_keys(table: dict[str, np.ndarray], id_cols: tuple[str, ...], width: dict[str, int]
                ) -> np.ndarray:
    return np.hstack([words(table[c], width[c]) for c in id_cols])


def _trial_name(table: dict[str, np.ndarray], id_cols: tuple[str, ...], i: int) -> str:
    return " ".join(text(table[c][i]) for c in id_cols)


def _hash_sorted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, sorted rows, row i+1 equals row i) with one integer sort of row hashes.

    Equal rows end up adjacent; if two different rows share a hash and meet, the exact
    lexicographic order is used instead.
    """
    h = _mix(keys)
    order = np.argsort(h)
    srt = keys[order]
    same = np.all(srt[1:] == srt[:-1], axis=1)
    hs = h[order]
    if np.any((hs[1:] == hs[:-1]) & ~same):
        order = np.lexsort(keys.T[::-1])
        srt = keys[order]
        same = np.all(srt[1:] == srt[:-1], axis=1)
    return order, srt, same


def _first_duplicate(order: np.ndarray, same: np.ndarray) -> int | None:
    """Row index of the earliest row that repeats an earlier one, or None."""
    dup = np.flatnonzero(same)
    if dup.size == 0:
        return None
    return int(np.stack([order[dup], order[dup + 1]]).max(axis=0).min())


def _exact_perm(k_keys: np.ndarray, s_keys: np.ndarray) -> np.ndarray | None:
    """Score row of each key row by exact lexicographic sorts; None if the sets differ."""
    if k_keys.shape != s_keys.shape:
        return None
    k_order, s_order = np.lexsort(k_keys.T[::-1]), np.lexsort(s_keys.T[::-1])
    if not np.array_equal(k_keys[k_order], s_keys[s_order]):
        return None
    perm = np.empty(k_order.size, dtype=np.int64)
    perm[k_order] = s_order
    return perm


def match_rows(key: dict[str, np.ndarray], key_path: Path, scores: dict[str, np.ndarray],
               score_path: Path, id_cols: tuple[str, ...], key_first: int = 2) -> np.ndarray:
    """For each key row, the index of its score row; every trial exactly once in each file.

    ``key_first``: file line of the key's first row (2 after a header, 1 without)."""
    width = {c: max(key[c].itemsize, scores[c].itemsize) for c in id_cols}
    k_keys, s_keys = _trial_keys(key, id_cols, width), _trial_keys(scores, id_cols, width)
    sorted_ = []
    for table, keys, path, first in ((key, k_keys, key_path, key_first),
                                     (scores, s_keys, score_path, 2)):
        order, srt, same = _hash_sorted(keys)
        n = _first_duplicate(order, same)
        if n is not None:
            raise SpoofcmError(f"{where(path, n + first)}: duplicate trial "
                               f"'{_trial_name(table, id_cols, n)}'")
        sorted_.append((order, srt))
    (k_order, ks), (s_order, ss) = sorted_
    if ks.shape == ss.shape and np.array_equal(ks, ss):
        perm = np.empty(k_order.size, dtype=np.int64)
        perm[k_order] = s_order
        return perm
    # hash orders of equal sets can differ only after a hash collision: compare exactly
    perm = _exact_perm(k_keys, s_keys)
    if perm is not None:
        return perm
    k_view = np.ascontiguousarray(k_keys).view([("", np.uint64)] * k_keys.shape[1]).ravel()
    s_view = np.ascontiguousarray(s_keys).view([("", np.uint64)] * s_keys.shape[1]).ravel()
    extra = np.flatnonzero(~np.isin(s_view, k_view))
    if extra.size:
        n = int(extra[0])
        raise SpoofcmError(f"{where(score_path, n + 2)}: trial "
                           f"'{_trial_name(scores, id_cols, n)}' is not in the key {key_path}")
    n = int(np.flatnonzero(~np.isin(k_view, s_view))[0])
    raise SpoofcmError(f"{score_path}: no score for trial '{_trial_name(key, id_cols, n)}' "
                       f"({where(key_path, n + key_first)})")


def is_protocol(path: Path) -> bool:
    """Whether ``path`` looks like a released Track 1 protocol (no header, KEY in column 9)."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline().decode("utf-8", "replace").split()
    except OSError:
        return False
    return len(first) == PROTOCOL_LAYOUT[0] and first[8] in CM_LABELS


def _protocol_factors(path: Path, label: np.ndarray, attack: np.ndarray, codec: np.ndarray
                      ) -> dict:
    """Trials fields row/col (attack of spoofs, codec) of a protocol used as key."""
    bad = np.flatnonzero((label == BONAFIDE) != (attack == b"bonafide"))
    if bad.size:
        i = int(bad[0])
        raise SpoofcmError(f"{where(path, i + 1)}: KEY '{CM_LABELS[label[i]]}' with "
                           f"ATTACK_LABEL '{text(attack[i])}' (bona fide trials have 'bonafide')")
    spoofs = sorted({text(a) for a in np.unique(attack[label == SPOOF])})
    row, row_names = encode(np.where(label == BONAFIDE, b"\0bona", attack), ("\0bona", *spoofs))
    codec = np.where(codec == b"-", UNCODED.encode(), codec)
    col, col_names = encode(codec, tuple(sorted({text(c) for c in np.unique(codec)})))
    return {"row": row - 1, "row_names": row_names[1:], "col": col, "col_names": col_names}


def read_track1_trials(score_path: str | os.PathLike, key_path: str | os.PathLike) -> Trials:
    """Scored Track 1 trials in key order. The key is ``filename cm-label`` (then there is one
    row and one column), or a released protocol (rows: attacks, columns: codecs)."""
    score_path, key_path = Path(score_path), Path(key_path)
    scores = read_table(score_path, ("filename", "cm-score"))
    if is_protocol(key_path):
        cols = read_columns(key_path, *PROTOCOL_LAYOUT)
        key = dict(zip(("filename", "cm-label", "attack", "codec"), cols))
        first = 1
    else:
        key, first = read_table(key_path, ("filename", "cm-label")), 2
    values = parse_scores(score_path, scores["cm-score"], first_line=2)
    label = _labels(key_path, key["cm-label"], CM_LABELS, "CM label", first)
    if first == 1:
        factors = _protocol_factors(key_path, label, key["attack"], key["codec"])
    else:
        factors = {"row": np.where(label == BONAFIDE, -1, 0), "row_names": ["spoof"],
                   "col": np.zeros(label.size, np.int64), "col_names": ["all"]}
    values = values[match_rows(key, key_path, scores, score_path, ("filename",), first)]
    return Trials(ids=key["filename"], label=label, label_names=CM_LABELS,
                  subset=np.zeros(label.size, np.int32), subset_names=[], source=str(key_path),
                  scores=values, **factors)


def read_track1(score_path: str | os.PathLike, key_path: str | os.PathLike
                ) -> tuple[np.ndarray, np.ndarray]:
    """(bona fide scores, spoof scores) from ``filename cm-score`` and the key."""
    trials = read_track1_trials(score_path, key_path)
    return trials.scores[trials.label == BONAFIDE], trials.scores[trials.label == SPOOF]


@dataclass(frozen=True)
class SasvTrials:
    """Track 2 trials in key order: ASV label code (0 target, 1 nontarget, 2 spoof), CM label
    (True = bona fide) and the three score columns."""

    asv_label: np.ndarray
    cm_bona: np.ndarray
    cm: np.ndarray
    asv: np.ndarray
    sasv: np.ndarray


def read_track2(score_path: str | os.PathLike, key_path: str | os.PathLike) -> SasvTrials:
    """Trials of ``spk filename cm-score asv-score sasv-score`` and ``spk filename cm-label
    asv-label``, matched by (spk, filename)."""
    score_path, key_path = Path(score_path), Path(key_path)
    score_cols = ("spk", "filename", "cm-score", "asv-score", "sasv-score")
    scores = read_table(score_path, score_cols)
    key = read_table(key_path, ("spk", "filename", "cm-label", "asv-label"))
    values = {c: parse_scores(score_path, scores[c], first_line=2) for c in score_cols[2:]}
    cm_label = _labels(key_path, key["cm-label"], CM_LABELS, "CM label")
    asv_label = _labels(key_path, key["asv-label"], ASV_LABELS, "ASV label")
    bad = np.flatnonzero((asv_label == 2) != (cm_label == SPOOF))
    if bad.size:
        i = int(bad[0])
        raise SpoofcmError(f"{where(key_path, i + 2)}: CM label '{CM_LABELS[cm_label[i]]}' "
                           f"contradicts ASV label '{ASV_LABELS[asv_label[i]]}' (spoof in both "
                           "or in neither)")
    perm = match_rows(key, key_path, scores, score_path, ("spk", "filename"))
    return SasvTrials(asv_label=asv_label, cm_bona=cm_label == BONAFIDE, cm=values["cm-score"][perm],
                      asv=values["asv-score"][perm], sasv=values["sasv-score"][perm])
