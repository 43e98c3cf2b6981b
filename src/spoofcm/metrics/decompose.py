"""Pooled and decomposed EER / min t-DCF tables, as the official scorer lays them out.

Cell (row r, column c) uses the bona fide trials of column c and the spoofed trials of row r in
column c; the ``Pooled`` row/column drops that filter. C0/C1/C2 of a cell come from the ASV
target and nontarget trials of column c and the ASV spoof trials of (r, c).

Speed: the CM trials are sorted once in tie order; a cell is a mask over that order, so each
cell costs O(n) and the whole table O(n log n + cells * n) with no Python loop over trials.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from spoofcm.labels import BONAFIDE
from spoofcm.metrics.det import det_from_labels, tie_order
from spoofcm.metrics.keys import Trials
from spoofcm.metrics.tdcf import CostModel, asv_threshold, c012_from_rates, min_tdcf_from_det

POOLED = "Pooled"
#: the official scorer refuses a cell with fewer distinct CM scores than this
MIN_DISTINCT = 3


@dataclass
class Tables:
    """Full result tables: ``eer[row][col]``, ``min_tdcf[row][col]``, ``c012[row][col]``."""

    rows: list[str]
    cols: list[str]
    eer: dict[str, dict[str, float | None]]
    min_tdcf: dict[str, dict[str, float | None]] | None
    c012: dict[str, dict[str, tuple[float, float, float] | None]] | None
    counts: dict[str, dict[str, tuple[int, int]]]
    warnings: list[str] = field(default_factory=list)

    @property
    def pooled(self) -> dict[str, float | None]:
        return {"eer": self.eer[POOLED][POOLED],
                "min_tdcf": None if self.min_tdcf is None else self.min_tdcf[POOLED][POOLED]}


def _column_masks(col: np.ndarray, ncols: int) -> list[np.ndarray | None]:
    """One mask per column, then None for the Pooled column (no filter)."""
    return [col == c for c in range(ncols)] + [None]


def compute_c012(asv: Trials, nrows: int, ncols: int, cost: CostModel = CostModel()
                 ) -> np.ndarray:
    """C0/C1/C2 per cell, shape (nrows + 1, ncols + 1, 3); NaN where a needed class is absent."""
    out = np.full((nrows + 1, ncols + 1, 3), np.nan)
    scores = asv.scores
    for c, cmask in enumerate(_column_masks(asv.col, ncols)):
        sel = slice(None) if cmask is None else cmask
        s, lab, row = scores[sel], asv.label[sel], asv.row[sel]
        tar, non = s[lab == 0], s[lab == 1]
        if tar.size == 0 or non.size == 0:
            continue
        t = asv_threshold(tar, non)
        p_miss = np.count_nonzero(tar < t) / tar.size
        p_fa = np.count_nonzero(non >= t) / non.size
        spoof = lab == 2
        accepted = s[spoof] >= t
        srow = row[spoof]
        known = srow >= 0
        n_spoof = np.bincount(srow[known], minlength=nrows).astype(float)
        n_acc = np.bincount(srow[known], weights=accepted[known], minlength=nrows)
        n_spoof = np.append(n_spoof, accepted.size)
        n_acc = np.append(n_acc, np.count_nonzero(accepted))
        for r in np.flatnonzero(n_spoof > 0):
            out[r, c] = c012_from_rates(p_miss, p_fa, n_acc[r] / n_spoof[r], cost)
    return out


def decompose(cm: Trials, c012: np.ndarray | None = None) -> Tables:
    """EER (and min t-DCF when ``c012`` is given) for every cell of the official table.

    ``cm`` must hold scores and only the trials of the chosen subset.
    """
    nrows, ncols = len(cm.row_names), len(cm.col_names)
    rows, cols = list(cm.row_names) + [POOLED], list(cm.col_names) + [POOLED]
    order = tie_order(cm.scores, cm.label == BONAFIDE)
    s_bona = cm.label[order] == BONAFIDE
    s_row, s_col, s_score = cm.row[order], cm.col[order], cm.scores[order]
    eer = {r: {c: None for c in cols} for r in rows}
    tdcf = None if c012 is None else {r: {c: None for c in cols} for r in rows}
    c012_tab = None if c012 is None else {r: {c: None for c in cols} for r in rows}
    counts = {r: {c: (0, 0) for c in cols} for r in rows}
    notes: list[str] = []
    for ci, cmask in enumerate(_column_masks(s_col, ncols)):
        b = s_bona if cmask is None else s_bona[cmask]
        rr = s_row if cmask is None else s_row[cmask]
        sc = s_score if cmask is None else s_score[cmask]
        for ri in range(nrows + 1):
            keep = None if ri == nrows else (b | (rr == ri))
            flags = b if keep is None else b[keep]
            n_bona = int(np.count_nonzero(flags))
            n_spoof = flags.size - n_bona
            counts[rows[ri]][cols[ci]] = (n_bona, n_spoof)
            if c012_tab is not None and np.all(np.isfinite(c012[ri, ci])):
                c012_tab[rows[ri]][cols[ci]] = tuple(float(v) for v in c012[ri, ci])
            if n_bona == 0 or n_spoof == 0:
                continue
            cell_scores = sc if keep is None else sc[keep]
            distinct = 1 + int(np.count_nonzero(cell_scores[1:] != cell_scores[:-1]))
            if distinct < MIN_DISTINCT:
                notes.append(f"cell {rows[ri]}/{cols[ci]}: only {distinct} distinct score(s), "
                             "left empty (the official scorer aborts here)")
                continue
            miss, fa = det_from_labels(flags)
            k = int(np.argmin(np.abs(miss - fa)))
            eer[rows[ri]][cols[ci]] = float((miss[k] + fa[k]) / 2.0)
            if tdcf is not None:
                tdcf[rows[ri]][cols[ci]] = min_tdcf_from_det(miss, fa, c012[ri, ci])
    for msg in notes:
        warnings.warn(msg, stacklevel=2)
    return Tables(rows=rows, cols=cols, eer=eer, min_tdcf=tdcf, c012=c012_tab, counts=counts,
                  warnings=notes)


def evaluate_trials(cm: Trials, subset: str | None, asv: Trials | None = None,
                    cost: CostModel = CostModel()) -> Tables:
    """Select ``subset`` of the CM (and ASV) trials and compute every table."""
    cm_sub = cm.select(cm.subset_mask(subset))
    c012 = None
    if asv is not None:
        c012 = compute_c012(asv.select(asv.subset_mask(subset)), len(cm.row_names),
                            len(cm.col_names), cost)
    return decompose(cm_sub, c012)
