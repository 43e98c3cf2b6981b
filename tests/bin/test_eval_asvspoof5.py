"""spoofcm-eval in ASVspoof 5 mode: every golden number through the CLI, one-line errors."""
from __future__ import annotations

import json
import math
import shutil

import pytest

from spoofcm.bin.eval import main

CASES = ("case_small", "case_ties")
TOL = {"min_dcf": 1e-6, "eer": 1e-6, "cllr": 1e-6, "act_dcf": 1e-6, "min_a_dcf": 1e-6,
       "min_tdcf": 1e-6, "t_eer_percent": 1e-4}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("track", ["track1", "track2"])
def test_cli_matches_every_golden_number(golden_dir, tmp_path, case, track):
    d = golden_dir / "asvspoof5_eval" / case
    args = (["--scores", str(d / "cm_score.tsv"), "--cm-key", str(d / "cm_key.tsv")]
            if track == "track1" else
            ["--sasv-scores", str(d / "sasv_score.tsv"), "--sasv-key", str(d / "sasv_key.tsv")])
    assert main(args + ["--out", str(tmp_path)]) == 0
    got = json.loads((tmp_path / "metrics.json").read_text())
    want = json.loads((d / "expected.json").read_text())[track]
    assert set(got[track]) == set(want)
    for name, value in want.items():
        assert math.isclose(got[track][name], value, rel_tol=0, abs_tol=TOL[name]), name
    assert ("track2" if track == "track1" else "track1") not in got


def test_cli_both_tracks_in_one_call(golden_dir, tmp_path, capsys):
    d = golden_dir / "asvspoof5_eval" / "case_small"
    assert main(["--scores", str(d / "cm_score.tsv"), "--cm-key", str(d / "cm_key.tsv"),
                 "--sasv-scores", str(d / "sasv_score.tsv"), "--sasv-key",
                 str(d / "sasv_key.tsv"), "--out", str(tmp_path)]) == 0
    got = json.loads((tmp_path / "metrics.json").read_text())
    assert {"track1", "track2"} <= set(got)
    assert got["track1_info"]["n_bonafide"] + got["track1_info"]["n_spoof"] == 3000
    assert "Track 1: min DCF 0.43803" in capsys.readouterr().out


@pytest.fixture
def t1_copy(golden_dir, tmp_path):
    d = golden_dir / "asvspoof5_eval" / "case_ties"
    for name in ("cm_score.tsv", "cm_key.tsv"):
        shutil.copy(d / name, tmp_path / name)
    return tmp_path


def edit_line(path, n, new):
    lines = path.read_text().splitlines()
    lines[n - 1] = new
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("file,line,text,message", [
    ("cm_key.tsv", 7, "E_x spoof extra", "cm_key.tsv:7: expected 2 columns, got 3"),
    ("cm_key.tsv", 9, "E_0000001 deepfake", "cm_key.tsv:9: unknown CM label 'deepfake'"),
    ("cm_key.tsv", 1, "E_0000580\tbonafide", "cm_key.tsv:1: missing header line"),
    ("cm_score.tsv", 12, "filename\tcm-score", "cm_score.tsv:12: the header line is repeated"),
    ("cm_score.tsv", 3, None, "cm_score.tsv:3: duplicate trial"),
])
def test_cli_bad_inputs_one_line_errors(t1_copy, capsys, file, line, text, message):
    if text is None:   # line 3 repeats line 2
        text = (t1_copy / file).read_text().splitlines()[1]
    edit_line(t1_copy / file, line, text)
    rc = main(["--scores", str(t1_copy / "cm_score.tsv"), "--cm-key",
               str(t1_copy / "cm_key.tsv"), "--out", str(t1_copy / "out")])
    err = capsys.readouterr().err.strip()
    assert rc == 1 and message in err and len(err.splitlines()) == 1
    assert not (t1_copy / "out" / "metrics.json").exists()


def test_cli_needs_both_files_of_a_track(t1_copy, capsys):
    assert main(["--scores", str(t1_copy / "cm_score.tsv"), "--sasv-key", "x.tsv"]) == 1
    assert "Track 1 needs both --scores" in capsys.readouterr().err


def test_cli_with_released_protocol_as_key_writes_codec_and_attack_tables(golden_dir, tmp_path):
    """The golden Track 1 key turned into protocol lines (attack and codec invented per row):
    same pooled numbers, plus per-attack and per-codec tables."""
    d = golden_dir / "asvspoof5_eval" / "case_small"
    rows = [line.split("\t") for line in (d / "cm_key.tsv").read_text().splitlines()[1:]]
    lines = []
    for i, (trial, label) in enumerate(rows):
        attack = "bonafide" if label == "bonafide" else f"A{17 + i % 3}"
        codec = "-" if i % 4 == 0 else f"C0{1 + i % 2}"
        lines.append(f"E_{i % 50:04d} {trial} F {codec} 0 - - {attack} {label} -")
    key = tmp_path / "ASVspoof5.eval.track_1.tsv"
    key.write_text("\n".join(lines) + "\n")
    assert main(["--scores", str(d / "cm_score.tsv"), "--cm-key", str(key), "--out",
                 str(tmp_path / "out")]) == 0
    got = json.loads((tmp_path / "out" / "metrics.json").read_text())
    want = json.loads((d / "expected.json").read_text())["track1"]
    for name, value in want.items():
        assert math.isclose(got["track1"][name], value, rel_tol=0, abs_tol=1e-6), name
    tables = got["track1_tables"]
    assert set(tables["per_attack"]) == {"A17", "A18", "A19"}
    assert set(tables["per_condition"]) == {"C01", "C02", "none"}
    assert tables["pooled"]["min_dcf"] == pytest.approx(want["min_dcf"], abs=1e-6)
    assert "| codec |" in (tmp_path / "out" / "track1.md").read_text()
