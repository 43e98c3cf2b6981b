"""Decomposed tables: cell membership rules, empty cells, the <3 distinct scores rule."""
from __future__ import annotations

import numpy as np
import pytest

from spoofcm.metrics import compute_eer
from spoofcm.labels import BONAFIDE, CM_LABELS, SPOOF
from spoofcm.metrics.decompose import POOLED, evaluate_trials
from spoofcm.metrics.keys import attach_scores, read_asv, read_cm_key, Trials
from spoofcm.metrics.tdcf import min_tdcf


def make_trials(rng, n=600):
    label = (rng.random(n) < 0.3).astype(np.int32)                # BONAFIDE 1, SPOOF 0
    row = np.where(label == SPOOF, rng.integers(0, 3, n), -1).astype(np.int32)
    col = rng.integers(0, 2, n).astype(np.int32)
    scores = np.round(np.where(label == BONAFIDE, rng.normal(1, 1, n), rng.normal(-row * 0.3, 1, n)), 1)
    return Trials(ids=[], label=label, label_names=CM_LABELS, row=row,
                  row_names=["A", "B", "C"], col=col, col_names=["c0", "c1"],
                  subset=np.zeros(n, np.int32), subset_names=[], source="synthetic",
                  scores=scores)


def test_cells_use_bona_of_column_and_spoof_of_row_and_column():
    t = make_trials(np.random.default_rng(0))
    tables = evaluate_trials(t, None)
    s, lab, row, col = t.scores, t.label, t.row, t.col
    for ri, rname in enumerate(t.row_names):
        for ci, cname in enumerate(t.col_names):
            bona = s[(lab == BONAFIDE) & (col == ci)]
            spoof = s[(lab == SPOOF) & (col == ci) & (row == ri)]
            assert tables.eer[rname][cname] == compute_eer(bona, spoof)[0]
            assert tables.counts[rname][cname] == (bona.size, spoof.size)
        bona, spoof = s[lab == BONAFIDE], s[(lab == SPOOF) & (row == ri)]
        assert tables.eer[rname][POOLED] == compute_eer(bona, spoof)[0]
    assert tables.pooled["eer"] == compute_eer(s[lab == BONAFIDE], s[lab == SPOOF])[0]
    assert tables.min_tdcf is None


def test_empty_and_low_diversity_cells_are_null_with_warning():
    t = make_trials(np.random.default_rng(1), n=60)
    t.scores[(t.label == SPOOF) & (t.row == 2)] = 0.0
    t.scores[(t.label == BONAFIDE) & (t.col == 1)] = 0.0  # column c1: C has only one distinct score
    t.row_names.append("D")                         # no trial at all
    with pytest.warns(UserWarning, match="distinct score"):
        tables = evaluate_trials(t, None)
    assert tables.eer["C"]["c1"] is None and tables.eer["D"][POOLED] is None
    assert tables.eer["A"]["c0"] is not None
    assert any("C/c1" in w for w in tables.warnings)


@pytest.mark.filterwarnings("ignore:cell")
def test_min_tdcf_cell_equals_direct_computation(la_keys, tmp_path):
    cm = attach_scores(read_cm_key(la_keys, "LA"), tmp_path / "score.txt")
    asv = read_asv(la_keys / "LA" / "ASV" / "trial_metadata.txt", tmp_path / "asv_score.txt", cm)
    tables = evaluate_trials(cm, "eval", asv)
    # pooled: CM eval bona {2.0, 1.5, 0.7} spoof {-1.0, 0.5}; ASV eval pooled
    expected = min_tdcf(np.array([2.0, 1.5, 0.7]), np.array([-1.0, 0.5]), np.array([3.0, 2.5]),
                        np.array([-2.0, 0.0]), np.array([1.0, 1.0]))
    assert tables.pooled["min_tdcf"] == pytest.approx(expected, abs=1e-15)
    assert tables.pooled["eer"] == 0.0
    # A07 has no ASV spoof trial in column alaw -> C012 and min t-DCF empty there
    assert tables.c012["A07"]["alaw"] is None and tables.min_tdcf["A07"]["alaw"] is None
