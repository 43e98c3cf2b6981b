"""Read CM/ASV keys (official ASVspoof 2021 layout or a Kaldi data dir) and score files.

Everything is validated line by line: a bad file stops with ``file:line: reason``
(:class:`SpoofcmError`), never a silent drop. Parsing is vectorised: each block of lines is
split by one C call, the fields of every line are counted with numpy on the raw bytes, trial
ids stay numpy byte strings and categorical columns become small integer codes, so the
785k-line ASV key costs a few tens of MB and well under a second.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spoofcm.errors import SpoofcmError, where
from spoofcm.labels import BONAFIDE, CM_LABELS
from spoofcm.metrics.fastio import encode, read_columns, sort_order, text, words

SUBSETS = ("eval", "progress", "hidden")
LA_ATTACKS = tuple(f"A{i:02d}" for i in range(7, 20))
LA_CODECS = ("none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus")
DF_VOCODERS = ("traditional_vocoder", "waveform_concatenation", "neural_vocoder_autoregressive",
               "neural_vocoder_nonautoregressive", "unknown")
DF_COMPRESSIONS = ("nocodec", "low_mp3", "high_mp3", "low_m4a", "high_m4a", "low_ogg",
                   "high_ogg", "mp3m4a", "oggm4a")
#: official layouts: number of columns and the (trial, condition, row, label, subset) columns
CM_LAYOUT = {"LA": (8, 1, 2, 4, 5, 7), "DF": (13, 1, 2, 8, 5, 7)}
ASV_LAYOUT = (8, 1, 2, 4, 5, 7)
ASV_LABELS = ("target", "nontarget", "spoof")


@dataclass
class Trials:
    """One table of trials: ids, labels and integer-coded factors (row, column, subset).

    ``label`` indexes ``label_names``; ``row``/``col``/``subset`` index their name lists.
    ``scores`` is filled by :func:`attach_scores` (NaN until then).
    """

    ids: np.ndarray   # byte strings (dtype S), in key order
    label: np.ndarray
    label_names: tuple[str, ...]
    row: np.ndarray
    row_names: list[str]
    col: np.ndarray
    col_names: list[str]
    subset: np.ndarray
    subset_names: list[str]
    source: str
    scores: np.ndarray | None = None
    #: ``words(ids)`` and its ``sort_order``, kept from validation to match score files faster
    id_words: np.ndarray | None = field(default=None, repr=False)
    id_order: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return self.label.size

    def select(self, mask: np.ndarray) -> "Trials":
        """Trials where ``mask`` holds (ids dropped: selections are for scoring only)."""
        return Trials(ids=self.ids[:0], label=self.label[mask], label_names=self.label_names,
                      row=self.row[mask], row_names=self.row_names, col=self.col[mask],
                      col_names=self.col_names, subset=self.subset[mask],
                      subset_names=self.subset_names, source=self.source,
                      scores=None if self.scores is None else self.scores[mask])

    def subset_mask(self, subset: str | None) -> np.ndarray:
        if subset is None or not self.subset_names:
            return np.ones(len(self), dtype=bool)
        if subset not in self.subset_names:
            return np.zeros(len(self), dtype=bool)
        return self.subset == self.subset_names.index(subset)


def _check_values(path: Path, allowed: tuple[str, ...], what: str, codes: np.ndarray,
                  names: list[str]) -> None:
    bad = [i for i, n in enumerate(names) if n not in allowed]
    if bad:
        i = int(np.flatnonzero(np.isin(codes, bad))[0])
        raise SpoofcmError(f"{where(path, i + 1)}: unknown {what} '{names[codes[i]]}' "
                           f"(expected one of {', '.join(allowed)})")


def _check_unique(path: Path, ids: np.ndarray, keys: np.ndarray | None = None,
                  order: np.ndarray | None = None) -> None:
    """Raise on a repeated id, naming the line where it occurs for the second time."""
    keys = words(ids) if keys is None else keys
    order = sort_order(keys) if order is None else order
    srt = keys[order]
    dup = np.flatnonzero(np.all(srt[1:] == srt[:-1], axis=1))
    if dup.size:
        pairs = np.stack([order[dup], order[dup + 1]])
        n = int(pairs.max(axis=0).min())   # the earliest line that repeats an earlier one
        raise SpoofcmError(f"{where(path, n + 1)}: duplicate trial '{text(ids[n])}'")


def cm_key_path(keys_dir: str | os.PathLike, track: str) -> Path:
    return Path(keys_dir) / track / "CM" / "trial_metadata.txt"


def read_cm_key(keys_dir: str | os.PathLike, track: str) -> Trials:
    """The official CM key of ``track`` (LA: rows attacks, cols codecs; DF: vocoders, compressions)."""
    if track not in CM_LAYOUT:
        raise SpoofcmError(f"unknown track '{track}' (expected LA or DF)")
    path = cm_key_path(keys_dir, track)
    ncols, c_trial, c_col, c_row, c_label, c_subset = CM_LAYOUT[track]
    ids, cols, rows, labels, subsets = read_columns(path, ncols, (c_trial, c_col, c_row,
                                                                  c_label, c_subset))
    id_words = words(ids)
    id_order = sort_order(id_words)
    _check_unique(path, ids, id_words, id_order)
    label, label_names = encode(labels, CM_LABELS)
    _check_values(path, CM_LABELS, "label", label, label_names)
    subset, subset_names = encode(subsets, SUBSETS)
    _check_values(path, SUBSETS, "subset", subset, subset_names)
    row, row_names = encode(rows, ("bonafide",) + (LA_ATTACKS if track == "LA" else DF_VOCODERS))
    col, col_names = encode(cols, LA_CODECS if track == "LA" else DF_COMPRESSIONS)
    _check_label_rows(path, label_names, label, row)
    return Trials(ids=ids, label=label, label_names=CM_LABELS, row=row - 1, row_names=row_names[1:],
                  col=col, col_names=col_names, subset=subset, subset_names=list(SUBSETS),
                  source=str(path), id_words=id_words, id_order=id_order)


def _check_label_rows(path: Path, label_names: list[str], label: np.ndarray,
                      row: np.ndarray) -> None:
    """A bona fide trial must have attack/vocoder 'bonafide', a spoofed one must not."""
    bad = np.flatnonzero((label == BONAFIDE) != (row == 0))
    if bad.size:
        raise SpoofcmError(f"{where(path, int(bad[0]) + 1)}: label '{label_names[label[bad[0]]]}' does not "
                           "match the attack/vocoder column ('bonafide' only for bona fide trials)")


def _bytes_array(values: list[str]) -> np.ndarray:
    return np.array([v.encode("utf-8") for v in values])


def read_data_dir_trials(data_dir: str | os.PathLike) -> Trials:
    """Trials of a Kaldi data dir: rows from utt2attack, columns from utt2cond."""
    from spoofcm.data.datadir import load_data_dir

    dd = load_data_dir(data_dir)
    utts = list(dd.utt2label)
    labels = [dd.utt2label[u] for u in utts]
    label, _ = encode(_bytes_array(labels), CM_LABELS)
    spoof_attacks = sorted({dd.utt2attack[u] for u, lab in zip(utts, labels) if lab == "spoof"})
    attacks = [dd.utt2attack[u] if lab == "spoof" else "\0bona" for u, lab in zip(utts, labels)]
    row, row_names = encode(_bytes_array(attacks), ("\0bona", *spoof_attacks))
    conds = [dd.utt2cond[u] for u in utts]
    col, col_names = encode(_bytes_array(conds), tuple(sorted(set(conds))))
    if dd.utt2subset:
        subset, subset_names = encode(_bytes_array([dd.utt2subset[u] for u in utts]), SUBSETS)
    else:
        subset, subset_names = np.zeros(len(utts), dtype=np.int32), []
    return Trials(ids=_bytes_array(utts), label=label, label_names=CM_LABELS, row=row - 1,
                  row_names=row_names[1:], col=col, col_names=col_names, subset=subset,
                  subset_names=subset_names, source=str(Path(data_dir) / "utt2label"))


def parse_scores(path: Path, tokens: np.ndarray, first_line: int = 1) -> np.ndarray:
    """Floats of byte-string ``tokens``; a non-number, NaN or infinity stops with its line."""
    try:
        values = tokens.astype(np.float64)
    except ValueError:
        values = None
    if values is None or not np.all(np.isfinite(values)):
        for n, tok in enumerate(tokens):
            try:
                v = float(tok)
            except ValueError:
                raise SpoofcmError(f"{where(path, first_line + n)}: score '{text(tok)}' is not "
                                   "a number") from None
            if not math.isfinite(v):
                raise SpoofcmError(f"{where(path, first_line + n)}: score '{text(tok)}' is not "
                                   "finite")
    return values


def read_score_file(path: str | os.PathLike, check_unique: bool = True
                    ) -> tuple[np.ndarray, np.ndarray]:
    """A 2-column ``trial score`` file (docs/formats.md), validated: (ids, scores)."""
    path = Path(path)
    ids, toks = read_columns(path, 2, (0, 1))
    if check_unique:
        _check_unique(path, ids)
    return ids, parse_scores(path, toks)


def attach_scores(trials: Trials, score_path: str | os.PathLike,
                  preread: tuple[np.ndarray, np.ndarray] | None = None) -> Trials:
    """Fill ``trials.scores`` from a score file: exactly one line per trial of the key.

    Matching sorts both id lists as integer words (O(n log n) in numpy), not a Python dict.
    ``preread``: ``read_score_file(score_path, check_unique=False)`` done already (e.g. in a
    thread while the key was read).
    """
    score_path = Path(score_path)
    ids, values = preread or read_score_file(score_path, check_unique=False)
    width = max(ids.itemsize, trials.ids.itemsize)
    s_words = words(ids, width)
    if trials.id_words is not None and trials.id_words.shape[1] == s_words.shape[1]:
        k_words, k_order = trials.id_words, trials.id_order
    else:
        k_words = words(trials.ids, width)
        k_order = sort_order(k_words)
    s_order = sort_order(s_words)
    _check_unique(score_path, ids, s_words, s_order)
    if ids.size == trials.ids.size and np.array_equal(k_words[k_order], s_words[s_order]):
        scores = np.empty(ids.size)
        scores[k_order] = values[s_order]
        trials.scores = scores
        return trials
    extra = np.flatnonzero(~np.isin(ids, trials.ids))
    if extra.size:
        raise SpoofcmError(f"{where(score_path, int(extra[0]) + 1)}: trial '{text(ids[extra[0]])}' "
                           f"is not in the key {trials.source}")
    missing = np.flatnonzero(~np.isin(trials.ids, ids))
    raise SpoofcmError(f"{score_path}: {missing.size} trial(s) of the key have no score, first "
                       f"'{text(trials.ids[missing[0]])}' ({where(trials.source, int(missing[0]) + 1)})")


def asv_key_path(keys_dir: str | os.PathLike) -> Path:
    return Path(keys_dir) / "LA" / "ASV" / "trial_metadata.txt"


def default_asv_scores(keys_dir: str | os.PathLike) -> Path | None:
    """The organisers' ASV score file in a keys dir (either spelling of the folder)."""
    for name in ("ASVtorch_kaldi", "ASVTorch_Kaldi"):
        path = Path(keys_dir) / "LA" / "ASV" / name / "score.txt"
        if path.is_file():
            return path
    return None


def read_asv(key_path: str | os.PathLike, score_path: str | os.PathLike,
             cm_trials: Trials) -> Trials:
    """ASV key + ASV scores, matched by line number (as the official scorer does).

    Unlike the official scorer we also require equal line counts and equal trial ids on each
    line, since a shifted file would silently give wrong C0/C1/C2. Rows and columns are coded
    with the CM table's names so that cells line up.
    """
    key_path, score_path = Path(key_path), Path(score_path)
    ids, cols, rows, labels, subsets = read_columns(key_path, ASV_LAYOUT[0], ASV_LAYOUT[1:])
    s_ids, s_toks = read_columns(score_path, 3, (1, 2))
    if s_ids.size != ids.size:
        raise SpoofcmError(f"{score_path}: {s_ids.size} lines, but the ASV key {key_path} has "
                           f"{ids.size} (they are matched line by line)")
    bad = np.flatnonzero(ids != s_ids)
    if bad.size:
        n = int(bad[0])
        raise SpoofcmError(f"{where(score_path, n + 1)}: trial '{text(s_ids[n])}' but line {n + 1} "
                           f"of {key_path} is '{text(ids[n])}' (files are matched line by line)")
    label, label_names = encode(labels, ASV_LABELS)
    _check_values(key_path, ASV_LABELS, "ASV label", label, label_names)
    subset, subset_names = encode(subsets, SUBSETS)
    _check_values(key_path, SUBSETS, "subset", subset, subset_names)
    row, _ = encode(rows, ("bonafide", *cm_trials.row_names))
    col, _ = encode(cols, tuple(cm_trials.col_names))
    # ASV factor values unseen in the CM key can never meet a CM cell: code them as -2.
    row = np.where(row - 1 < len(cm_trials.row_names), row - 1, -2)
    col = np.where(col < len(cm_trials.col_names), col, -2)
    return Trials(ids=ids[:0], label=label, label_names=ASV_LABELS, row=row,
                  row_names=list(cm_trials.row_names), col=col, col_names=list(cm_trials.col_names),
                  subset=subset, subset_names=list(SUBSETS), source=str(key_path),
                  scores=parse_scores(score_path, s_toks))
