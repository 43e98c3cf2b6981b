"""Keys and score files: correct parsing, and every kind of bad input named with file:line."""
from __future__ import annotations

import numpy as np
import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.metrics.fastio import fields_per_line
from spoofcm.metrics.keys import (attach_scores, default_asv_scores, read_asv, read_cm_key,
                                  read_data_dir_trials)

from helpers.la_fixture import ASV_SCORES, CM_LINES, SCORES, write_lines


def test_reads_key_and_scores(la_keys, tmp_path):
    cm = attach_scores(read_cm_key(la_keys, "LA"), tmp_path / "score.txt")
    assert cm.ids.tolist() == [b"T1", b"T2", b"T3", b"T4", b"T5", b"T6"]
    assert list(cm.scores) == [2.0, -1.0, 1.5, 0.5, 0.0, 0.7]
    assert list(cm.label) == [1, 0, 1, 0, 0, 1]  # spoofcm.labels: BONAFIDE 1, SPOOF 0
    assert cm.row_names[:2] == ["A07", "A08"] and cm.col_names[:2] == ["none", "alaw"]
    assert list(cm.row) == [-1, 0, -1, 1, 1, -1]
    assert int(cm.subset_mask("eval").sum()) == 5


@pytest.mark.parametrize("lines, message", [
    (SCORES[:-1], "have no score, first 'T6'"),
    (SCORES + ["T9 1.0"], "score.txt:7: trial 'T9' is not in the key"),
    (SCORES + ["T1 1.0"], "score.txt:7: duplicate trial 'T1'"),
    (SCORES[:2] + ["T3 abc"] + SCORES[3:], "score.txt:3: score 'abc' is not a number"),
    (SCORES[:2] + ["T3 nan"] + SCORES[3:], "score.txt:3: score 'nan' is not finite"),
    (SCORES[:2] + ["T3 -inf"] + SCORES[3:], "score.txt:3: score '-inf' is not finite"),
    (SCORES[:3] + ["T4 0.5 extra"] + SCORES[4:], "score.txt:4: expected 2 columns, got 3"),
    ([], "score.txt: empty file"),
    # a 3-field line followed by a 1-field line: the total token count looks right
    (SCORES[:2] + ["T3 1.5 T4", "0.5"] + SCORES[4:], "score.txt:3: expected 2 columns, got 3"),
    (SCORES[:2] + [""] + SCORES[2:], "score.txt:3: expected 2 columns, got 0"),
])
def test_bad_score_files(la_keys, tmp_path, lines, message):
    write_lines(tmp_path / "score.txt", lines)
    with pytest.raises(SpoofcmError, match=message.replace("(", r"\(")):
        attach_scores(read_cm_key(la_keys, "LA"), tmp_path / "score.txt")


@pytest.mark.parametrize("bad_line, message", [
    ("LA_0001 T2 none - A07 spoof notrim", "trial_metadata.txt:2: expected 8 columns, got 7"),
    ("LA_0001 T2 none - A07 fake notrim eval", "trial_metadata.txt:2: unknown label 'fake'"),
    ("LA_0001 T2 none - A07 spoof notrim dev", "trial_metadata.txt:2: unknown subset 'dev'"),
    ("LA_0001 T2 none - bonafide spoof notrim eval", "trial_metadata.txt:2: label 'spoof'"),
    ("LA_0001 T1 none - A07 spoof notrim eval", "trial_metadata.txt:2: duplicate trial 'T1'"),
])
def test_bad_cm_keys(la_keys, bad_line, message):
    write_lines(la_keys / "LA" / "CM" / "trial_metadata.txt", [CM_LINES[0], bad_line] + CM_LINES[2:])
    with pytest.raises(SpoofcmError, match=message):
        read_cm_key(la_keys, "LA")


def test_missing_key_and_unknown_track(tmp_path):
    with pytest.raises(SpoofcmError, match="file not found"):
        read_cm_key(tmp_path, "DF")
    with pytest.raises(SpoofcmError, match="unknown track"):
        read_cm_key(tmp_path, "PA")


def test_asv_matched_by_line(la_keys, tmp_path):
    cm = read_cm_key(la_keys, "LA")
    asv = read_asv(la_keys / "LA" / "ASV" / "trial_metadata.txt", tmp_path / "asv_score.txt", cm)
    assert list(asv.label) == [0, 1, 2, 0, 1, 2]
    assert list(asv.row) == [-1, -1, 0, -1, -1, 1]
    assert np.allclose(asv.scores, [3.0, -2.0, 1.0, 2.5, 0.0, 1.0])


@pytest.mark.parametrize("lines, message", [
    (ASV_SCORES[:-1], "5 lines, but the ASV key"),
    (ASV_SCORES[:1] + ["LA_0002 T9 -2.0"] + ASV_SCORES[2:], "asv_score.txt:2: trial 'T9'"),
    (ASV_SCORES[:1] + ["LA_0002 T1 x"] + ASV_SCORES[2:], "asv_score.txt:2: score 'x'"),
    (ASV_SCORES[:1] + ["T1 -2.0"] + ASV_SCORES[2:], "asv_score.txt:2: expected 3 columns"),
])
def test_bad_asv_scores(la_keys, tmp_path, lines, message):
    write_lines(tmp_path / "asv_score.txt", lines)
    with pytest.raises(SpoofcmError, match=message):
        read_asv(la_keys / "LA" / "ASV" / "trial_metadata.txt", tmp_path / "asv_score.txt",
                 read_cm_key(la_keys, "LA"))


def test_default_asv_scores_either_spelling(la_keys):
    assert default_asv_scores(la_keys) is None
    path = write_lines(la_keys / "LA" / "ASV" / "ASVTorch_Kaldi" / "score.txt", ASV_SCORES)
    assert default_asv_scores(la_keys) == path


def test_data_dir_trials(tmp_path):
    from spoofcm.data.datadir import write_data_dir

    utts = ["u1", "u2", "u3"]
    write_data_dir(tmp_path / "d", wav={u: f"/x/{u}.flac" for u in utts},
                   utt2spk={u: "s" for u in utts},
                   utt2label={"u1": "bonafide", "u2": "spoof", "u3": "spoof"},
                   utt2attack={"u1": "-", "u2": "A09", "u3": "A07"},
                   utt2cond={"u1": "-", "u2": "-", "u3": "-"})
    t = read_data_dir_trials(tmp_path / "d")
    assert t.row_names == ["A07", "A09"] and list(t.row) == [-1, 1, 0]
    assert t.col_names == ["-"] and t.subset_names == []


def test_fields_per_line_counts_like_split():
    block = b"a b\n  c\td  e \n\nx\r\ny z w"
    assert fields_per_line(block).tolist() == [len(l.split()) for l in block.split(b"\n")]


def test_last_line_without_newline(la_keys, tmp_path):
    (tmp_path / "score.txt").write_text("\n".join(SCORES))
    cm = attach_scores(read_cm_key(la_keys, "LA"), tmp_path / "score.txt")
    assert cm.scores[-1] == 0.7
