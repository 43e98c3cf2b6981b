import pytest

from spoofcm.data.datadir import load_data_dir, read_map, write_data_dir
from spoofcm.errors import SpoofcmError


def _maps():
    utts = ["u2", "u1", "u3"]
    return dict(
        wav={u: f"/x/{u}.flac" for u in utts},
        utt2spk={"u1": "s1", "u2": "s1", "u3": "s2"},
        utt2label={"u1": "bonafide", "u2": "spoof", "u3": "spoof"},
        utt2attack={"u1": "-", "u2": "A01", "u3": "A02"},
        utt2cond={u: "-" for u in utts},
        utt2num_samples={u: 16000 for u in utts},
    )


def test_write_then_load_round_trip(tmp_path):
    d = write_data_dir(tmp_path / "d", **_maps())
    assert d.utts == ["u1", "u2", "u3"]
    assert (tmp_path / "d" / "spk2utt").read_text() == "s1 u1 u2\ns2 u3\n"
    again = load_data_dir(tmp_path / "d")
    assert again.utt2label == d.utt2label and again.utt2num_samples["u1"] == 16000


@pytest.mark.parametrize("name,text,msg", [
    ("utt2label", "u1 bonafide\nu2 fake\nu3 spoof\n", "label 'fake'"),
    ("utt2label", "u1 bonafide\nu1 spoof\nu3 spoof\n", "duplicate key"),
    ("utt2label", "u2 spoof\nu1 bonafide\nu3 spoof\n", "not sorted"),
    ("utt2label", "u1 bonafide\nu2 spoof\n", "keys differ"),
    ("utt2spk", "u1 s1\nu2 s2\nu3 s2\n", "spk2utt"),
    ("wav.scp", "u1\nu2 b\nu3 c\n", "expected 'key value'"),
])
def test_broken_dirs_name_file_and_problem(tmp_path, name, text, msg):
    write_data_dir(tmp_path / "d", **_maps())
    (tmp_path / "d" / name).write_text(text)
    with pytest.raises(SpoofcmError, match=msg) as err:
        load_data_dir(tmp_path / "d")
    assert name in str(err.value)


def test_missing_file_and_dir(tmp_path):
    with pytest.raises(SpoofcmError, match="not found"):
        load_data_dir(tmp_path / "nope")
    write_data_dir(tmp_path / "d", **_maps())
    (tmp_path / "d" / "utt2cond").unlink()
    with pytest.raises(SpoofcmError, match="utt2cond: required file missing"):
        load_data_dir(tmp_path / "d")


def test_read_map_reports_line(tmp_path):
    p = tmp_path / "m"
    p.write_text("a 1\n\nb 2\n")
    with pytest.raises(SpoofcmError, match=r"m:2: empty line"):
        read_map(p)
