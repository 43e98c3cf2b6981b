"""Track 1 tables of a data dir: every cell equals the metrics of its own trials."""
from __future__ import annotations

import json

import numpy as np
import pytest

from spoofcm.bin.eval import main as eval_main
from spoofcm.data.datadir import write_data_dir
from spoofcm.metrics.asvspoof5 import track1_metrics
from spoofcm.metrics.asvspoof5_tables import track1_tables
from spoofcm.metrics.calibration import Calibration
from spoofcm.metrics.keys import attach_scores, read_data_dir_trials


@pytest.fixture
def scored_dir(tmp_path):
    rng = np.random.default_rng(11)
    n = 400
    utts = [f"E_{i:05d}" for i in range(n)]
    label = np.where(rng.random(n) < 0.3, "bonafide", "spoof")
    attack = np.where(label == "bonafide", "-", rng.choice(["A17", "A18", "A19"], n))
    cond = rng.choice(["none", "C01", "C02"], n)
    scores = np.round(rng.normal(0, 1, n) + np.where(label == "bonafide", 1.5, -1.0), 1)
    d = tmp_path / "data"
    write_data_dir(d, wav={u: f"/x/{u}.flac" for u in utts}, utt2spk={u: "S" for u in utts},
                   utt2label=dict(zip(utts, label)), utt2attack=dict(zip(utts, attack)),
                   utt2cond=dict(zip(utts, cond)))
    (tmp_path / "score.txt").write_text("".join(f"{u} {s}\n" for u, s in zip(utts, scores)))
    return d, tmp_path / "score.txt", (label, attack, cond, scores)


def close(cell, want):
    assert cell == pytest.approx(want.as_dict(), abs=1e-12)


def test_cells_equal_direct_metrics(scored_dir):
    d, score_path, (label, attack, cond, scores) = scored_dir
    tables = track1_tables(attach_scores(read_data_dir_trials(d), score_path))
    bona = label == "bonafide"
    close(tables["pooled"], track1_metrics(scores[bona], scores[~bona]))
    for a in ("A17", "A18", "A19"):
        close(tables["per_attack"][a], track1_metrics(scores[bona], scores[attack == a]))
    for c in ("none", "C01", "C02"):
        m = cond == c
        close(tables["per_condition"][c], track1_metrics(scores[bona & m], scores[~bona & m]))


def test_calibration_changes_cllr_not_eer(scored_dir):
    d, score_path, _ = scored_dir
    trials = attach_scores(read_data_dir_trials(d), score_path)
    raw = track1_tables(trials)
    cal = track1_tables(trials, Calibration(a=3.0, b=-1.0, n_bonafide=0, n_spoof=0))
    assert cal["scores"] == "calibrated"
    assert cal["pooled"]["eer"] == raw["pooled"]["eer"]
    assert cal["pooled"]["min_dcf"] == pytest.approx(raw["pooled"]["min_dcf"], abs=1e-12)
    assert cal["pooled"]["cllr"] != raw["pooled"]["cllr"]


def test_cli_writes_track1_tables_with_dev_calibration(scored_dir, tmp_path, capsys):
    d, score_path, _ = scored_dir
    out = tmp_path / "out"
    assert eval_main(["--scores", str(score_path), "--data", str(d), "--out", str(out),
                      "--dev-scores", str(score_path), "--dev-data", str(d), "--n-boot", "0",
                      "--no-plots", "--track1-tables"]) == 0
    tables = json.loads((out / "track1.json").read_text())
    assert tables["scores"] == "calibrated" and set(tables["per_attack"]) == {"A17", "A18", "A19"}
    md = (out / "track1.md").read_text()
    assert "| pooled |" in md and "| C01 |" in md
    assert "ASVspoof 5 Track 1 (calibrated scores)" in capsys.readouterr().out


def test_cli_track1_tables_needs_data(tmp_path, capsys):
    with pytest.raises(SystemExit):
        eval_main(["--scores", "s.txt", "--keys", "k", "--track", "LA", "--track1-tables"])
    assert "--track1-tables needs --data and --out" in capsys.readouterr().err
