"""utils/validate_data_dir.sh, utils/fix_data_dir.sh and spoofcm-validate-data."""
from __future__ import annotations

from pathlib import Path

import pytest

from spoofcm.bin.validate_data import main as validate_main
from spoofcm.data.datadir import load_data_dir, write_data_dir
from helpers.uthelp import run_util

UTTS = {  # utt: (spk, label, attack, cond)
    "LA_0001": ("spk1", "bonafide", "-", "-"),
    "LA_0002": ("spk1", "spoof", "A07", "-"),
    "LA_0003": ("spk2", "spoof", "A08", "alaw"),
    "LA_0004": ("spk2", "bonafide", "-", "alaw"),
    "LA_0005": ("spk3", "spoof", "A07", "-"),
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "train"
    write_data_dir(path, wav={u: f"/corpus/{u}.flac" for u in UTTS},
                   utt2spk={u: v[0] for u, v in UTTS.items()},
                   utt2label={u: v[1] for u, v in UTTS.items()},
                   utt2attack={u: v[2] for u, v in UTTS.items()},
                   utt2cond={u: v[3] for u, v in UTTS.items()},
                   utt2num_samples={u: 16000 + i for i, u in enumerate(UTTS)})
    return path


def drop_line(path: Path, key: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith(key + " ")))


def test_validate_good_dir(data_dir: Path, tmp_path: Path) -> None:
    res = run_util(["validate_data_dir.sh", str(data_dir)], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == (f"validated {data_dir}: 5 utterances, 3 speakers, "
                                  "2 bonafide / 3 spoof, 2 attacks, 2 conditions")


@pytest.mark.parametrize("breakage, message", [
    (lambda d: drop_line(d / "utt2label", "LA_0003"), "utt2label: keys differ from wav.scp"),
    (lambda d: (d / "utt2cond").unlink(), "utt2cond: required file missing"),
    (lambda d: drop_line(d / "spk2utt", "spk3"), "spk2utt: does not match utt2spk"),
    (lambda d: (d / "utt2label").write_text(
        (d / "utt2label").read_text().replace("LA_0005 spoof", "LA_0005 fake")), "label 'fake'"),
])
def test_validate_broken_dir_fails_in_one_line(data_dir: Path, tmp_path: Path, breakage,
                                               message: str) -> None:
    breakage(data_dir)
    res = run_util(["validate_data_dir.sh", str(data_dir)], tmp_path)
    assert res.returncode == 1
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_validate_data_python_entry_checks_audio(data_dir: Path, capsys) -> None:
    assert validate_main([str(data_dir)]) == 0
    assert validate_main(["--check-audio", str(data_dir)]) == 1
    assert "audio of 'LA_0001' not found" in capsys.readouterr().err


def test_fix_removes_incomplete_utterances_and_reports(data_dir: Path, tmp_path: Path) -> None:
    drop_line(data_dir / "utt2label", "LA_0002")
    drop_line(data_dir / "wav.scp", "LA_0005")  # spk3 loses its only utterance
    with open(data_dir / "utt2attack", "a") as fh:  # out of order + exact duplicate + empty
        fh.write("LA_0001 -\nLA_0000 A09\n\n")
    before = {p.name: p.read_text() for p in data_dir.iterdir() if p.is_file()}
    res = run_util(["fix_data_dir.sh", str(data_dir)], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "kept 3 of 6 utterances, removed 3" in res.stdout
    assert "LA_0000 LA_0002 LA_0005" in res.stdout
    assert "utt2attack: 8 -> 3 lines (1 without a value, 1 duplicate, 3 not in every map)" \
        in res.stdout
    assert res.stdout.strip().splitlines()[-1].startswith(f"validated {data_dir}: 3 utterances")
    data = load_data_dir(data_dir)
    assert data.utts == ["LA_0001", "LA_0003", "LA_0004"]
    assert (data_dir / "spk2utt").read_text() == "spk1 LA_0001\nspk2 LA_0003 LA_0004\n"
    assert {p.name: p.read_text() for p in (data_dir / ".backup").iterdir()} == before


def test_fix_refuses_conflicting_lines_and_changes_nothing(data_dir: Path,
                                                           tmp_path: Path) -> None:
    label = data_dir / "utt2label"
    label.write_text(label.read_text() + "LA_0001 spoof\n")
    original = label.read_text()
    res = run_util(["fix_data_dir.sh", str(data_dir)], tmp_path)
    assert res.returncode == 1
    assert "LA_0001 has conflicting lines (1 and 6)" in res.stderr
    assert label.read_text() == original and not (data_dir / ".backup").exists()


def test_fix_of_a_clean_dir_changes_nothing(data_dir: Path, tmp_path: Path) -> None:
    before = {p.name: p.read_text() for p in data_dir.iterdir() if p.is_file()}
    res = run_util(["fix_data_dir.sh", str(data_dir)], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "kept 5 of 5 utterances, removed 0" in res.stdout
    assert {p.name: p.read_text() for p in data_dir.iterdir() if p.is_file()} == before
