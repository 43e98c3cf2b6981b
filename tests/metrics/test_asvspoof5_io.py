"""ASVspoof 5 TSV readers: matching by trial, header by name, one-line file:line errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.metrics.asvspoof5_io import read_track1, read_track2


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def t1(tmp_path):
    scores = write(tmp_path / "cm_score.tsv", ["filename\tcm-score", "E_3\t0.5", "E_1\t2.0",
                                               "E_2\t-1.0"])
    key = write(tmp_path / "cm_key.tsv", ["filename\tcm-label", "E_1\tbonafide", "E_2\tspoof",
                                          "E_3\tbonafide"])
    return scores, key


def test_track1_matches_rows_by_filename(t1):
    bona, spoof = read_track1(*t1)
    assert sorted(bona.tolist()) == [0.5, 2.0] and spoof.tolist() == [-1.0]


def test_columns_are_read_by_name_and_aliases(tmp_path, t1):
    key = write(tmp_path / "k.tsv", ["cm-label extra trial_anon", "spoof x E_3", "bonafide y E_1",
                                     "spoof z E_2"])
    bona, spoof = read_track1(t1[0], key)
    assert bona.tolist() == [2.0] and sorted(spoof.tolist()) == [-1.0, 0.5]


@pytest.mark.parametrize("which,lines,message", [
    ("key", ["E_1\tbonafide", "E_2\tspoof", "E_3\tbonafide"],
     r"cm_key.tsv:1: missing header line or column 'filename'"),
    ("key", ["filename\tcm-label", "E_1\tbonafide", "filename\tcm-label", "E_2\tspoof",
             "E_3\tbonafide"], r"cm_key.tsv:3: the header line is repeated"),
    ("key", ["filename\tfilename\tcm-label", "E_1\tE_1\tbonafide"],
     r"cm_key.tsv:1: column 'filename' appears twice in the header"),
    ("key", ["filename\tcm-label", "E_1\tbonafide", "E_2\tspoof\textra", "E_3\tbonafide"],
     r"cm_key.tsv:3: expected 2 columns, got 3"),
    ("key", ["filename\tcm-label", "E_1\tbonafide", "E_2\tfake", "E_3\tbonafide"],
     r"cm_key.tsv:3: unknown CM label 'fake'"),
    ("key", ["filename\tcm-label", "E_1\tbonafide", "E_2\tspoof", "E_1\tbonafide",
             "E_3\tbonafide"], r"cm_key.tsv:4: duplicate trial 'E_1'"),
    ("scores", ["filename\tcm-score", "E_3\t0.5", "E_1\tabc", "E_2\t-1.0"],
     r"cm_score.tsv:3: score 'abc' is not a number"),
    ("scores", ["filename\tcm-score", "E_3\t0.5", "E_1\t2.0", "E_2\t-1.0", "E_9\t1.0"],
     r"cm_score.tsv:5: trial 'E_9' is not in the key"),
    ("scores", ["filename\tcm-score", "E_3\t0.5", "E_1\t2.0"],
     r"cm_score.tsv: no score for trial 'E_2' \(.*cm_key.tsv:3\)"),
    ("scores", ["filename\tcm-score", "E_3\t0.5", "E_1\t2.0", "E_3\t1.0", "E_2\t-1.0"],
     r"cm_score.tsv:4: duplicate trial 'E_3'"),
    ("scores", ["filename\tcm-score"], r"cm_score.tsv: no trials after the header line"),
])
def test_track1_bad_input_names_file_and_line(t1, which, lines, message):
    scores, key = t1
    write(key if which == "key" else scores, lines)
    with pytest.raises(SpoofcmError, match=message) as err:
        read_track1(scores, key)
    assert "\n" not in str(err.value)


def test_missing_file(tmp_path, t1):
    with pytest.raises(SpoofcmError, match=r"nope.tsv: file not found"):
        read_track1(tmp_path / "nope.tsv", t1[1])


@pytest.fixture
def t2(tmp_path):
    scores = write(tmp_path / "sasv_score.tsv", [
        "spk\tfilename\tcm-score\tasv-score\tsasv-score",
        "S1\tE_1\t1.0\t2.0\t3.0", "S2\tE_1\t1.0\t-2.0\t-1.0", "S1\tE_2\t-1.0\t1.0\t0.0"])
    key = write(tmp_path / "sasv_key.tsv", [
        "spk\tfilename\tcm-label\tasv-label", "S1\tE_2\tspoof\tspoof",
        "S2\tE_1\tbonafide\tnontarget", "S1\tE_1\tbonafide\ttarget"])
    return scores, key


def test_track2_matches_by_speaker_and_file(t2):
    t = read_track2(*t2)
    assert t.asv_label.tolist() == [2, 1, 0] and t.cm_bona.tolist() == [False, True, True]
    assert t.asv.tolist() == [1.0, -2.0, 2.0] and t.sasv.tolist() == [0.0, -1.0, 3.0]
    assert np.array_equal(t.cm, [-1.0, 1.0, 1.0])


@pytest.mark.parametrize("which,line,message", [
    ("key", "S3\tE_3\tbonafide\tattacker", r"sasv_key.tsv:5: unknown ASV label 'attacker'"),
    ("key", "S3\tE_3\tbonafide\tspoof", r"sasv_key.tsv:5: CM label 'bonafide' contradicts"),
    ("key", "S1\tE_1\tbonafide\ttarget", r"sasv_key.tsv:5: duplicate trial 'S1 E_1'"),
    ("scores", "S3\tE_3\t1\t2", r"sasv_score.tsv:5: expected 5 columns, got 4"),
    ("scores", "S3\tE_3\t1\t2\tinf", r"sasv_score.tsv:5: score 'inf' is not finite"),
    ("scores", "S9\tE_2\t1\t2\t3", r"sasv_score.tsv:5: trial 'S9 E_2' is not in the key"),
])
def test_track2_bad_input_names_file_and_line(t2, which, line, message):
    scores, key = t2
    path = key if which == "key" else scores
    path.write_text(path.read_text() + line + "\n")
    with pytest.raises(SpoofcmError, match=message):
        read_track2(scores, key)


def test_matching_survives_hash_collisions(t1, monkeypatch):
    from spoofcm.metrics import asvspoof5_io

    monkeypatch.setattr(asvspoof5_io, "_mix", lambda keys: np.zeros(keys.shape[0], np.uint64))
    bona, spoof = read_track1(*t1)
    assert sorted(bona.tolist()) == [0.5, 2.0] and spoof.tolist() == [-1.0]


PROTOCOL = ["E_1 E_3 F C01 1 E_0 - bonafide bonafide -",
            "E_1 E_1 F - 0 - - bonafide bonafide -",
            "E_2 E_2 M C02 3 E_4 AC2 A17 spoof -"]


def test_released_protocol_as_track1_key(t1, tmp_path):
    from spoofcm.metrics.asvspoof5_io import read_track1_trials

    key = write(tmp_path / "ASVspoof5.eval.track_1.tsv", PROTOCOL)
    trials = read_track1_trials(t1[0], key)
    assert trials.scores.tolist() == [0.5, 2.0, -1.0]      # key order
    assert trials.row_names == ["A17"] and trials.row.tolist() == [-1, -1, 0]
    assert trials.col_names == ["C01", "C02", "none"] and trials.col.tolist() == [0, 2, 1]


@pytest.mark.parametrize("line,message", [
    ("E_9 E_9 F - 0 - - A18 bonafide -", r"track_1.tsv:4: KEY 'bonafide' with ATTACK_LABEL 'A18'"),
    ("E_9 E_9 F - 0 - - bonafide fake -", r"track_1.tsv:4: unknown CM label 'fake'"),
    ("E_9 E_1 F - 0 - - bonafide bonafide -", r"track_1.tsv:4: duplicate trial 'E_1'"),
    ("E_9 E_9 F - 0 - - bonafide", r"track_1.tsv:4: expected 10 columns, got 8"),
])
def test_released_protocol_key_errors(t1, tmp_path, line, message):
    key = write(tmp_path / "ASVspoof5.eval.track_1.tsv", PROTOCOL + [line])
    with pytest.raises(SpoofcmError, match=message):
        read_track1(t1[0], key)
