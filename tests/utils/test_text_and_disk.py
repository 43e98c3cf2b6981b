"""The shell data-dir tools under the text policy of spoofcm.textio (issue 14, class 3), with
backups that are never overwritten (class 9) and a one-line error on a full disk (class 5)."""
from __future__ import annotations

import shutil
from pathlib import Path

from helpers.uthelp import run_util

BOM = b"\xef\xbb\xbf"
MAPS = {"wav.scp": "/c/{u}.flac", "utt2spk": "s1", "utt2label": "bonafide", "utt2attack": "-",
        "utt2cond": "-"}


def make_dir(path: Path, utts=("u1", "u2", "u3"), crlf: bool = False, bom: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    eol = "\r\n" if crlf else "\n"
    for name, value in MAPS.items():
        text = "".join(f"{u} {value.format(u=u)}{eol}" for u in utts).encode()
        (path / name).write_bytes((BOM if bom else b"") + text)
    (path / "spk2utt").write_text("s1 " + " ".join(utts) + "\n")
    return path


def test_fix_data_dir_drops_bom_and_cr_and_the_result_validates(tmp_path: Path) -> None:
    d = make_dir(tmp_path / "d", crlf=True, bom=True)
    res = run_util(["fix_data_dir.sh", str(d)], tmp_path)
    assert res.returncode == 0, res.stderr
    assert (d / "utt2spk").read_bytes() == b"u1 s1\nu2 s1\nu3 s1\n"
    assert (d / "spk2utt").read_text() == "s1 u1 u2 u3\n"
    assert "validated" in res.stdout


def test_fix_data_dir_rejects_latin1_with_file_and_line(tmp_path: Path) -> None:
    d = make_dir(tmp_path / "d")
    (d / "utt2cond").write_bytes(b"u1 -\nu2 caf\xe9\nu3 -\n")
    res = run_util(["fix_data_dir.sh", str(d)], tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip() == (f"fix_data_dir.sh: error: {d}/utt2cond:2: not UTF-8 text; "
                                  "convert the file, e.g. iconv -f latin1 -t utf-8")


def test_split_scp_follows_the_policy(tmp_path: Path) -> None:
    scp = tmp_path / "in.scp"
    scp.write_bytes(BOM + b"u1 a\r\nu2 b\r\n")
    res = run_util(["split_scp", str(scp), str(tmp_path / "o1"), str(tmp_path / "o2")], tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "o1").read_bytes() == b"u1 a\n" and (tmp_path / "o2").read_bytes() == b"u2 b\n"
    scp.write_bytes(b"u1 a\nu2 \xe9\n")
    res = run_util(["split_scp", str(scp), str(tmp_path / "o1"), str(tmp_path / "o2")], tmp_path)
    assert res.returncode == 1 and f"{scp}:2: not UTF-8 text" in res.stderr


def test_fix_data_dir_keeps_every_earlier_backup(tmp_path: Path) -> None:
    d = make_dir(tmp_path / "d")
    original = (d / "wav.scp").read_text()
    assert run_util(["fix_data_dir.sh", str(d)], tmp_path).returncode == 0
    (d / "utt2label").write_text("u1 bonafide\nu2 bonafide\n")  # drops u3 on the second run
    second = (d / "wav.scp").read_text()
    res = run_util(["fix_data_dir.sh", str(d)], tmp_path)
    assert res.returncode == 0, res.stderr
    assert f"originals in {d}/.backup.1/" in res.stdout
    assert (d / ".backup" / "wav.scp").read_text() == original
    assert (d / ".backup.1" / "wav.scp").read_text() == second
    assert (d / ".backup.1" / "utt2label").read_text() == "u1 bonafide\nu2 bonafide\n"


def test_fix_data_dir_on_a_full_disk_names_the_file_and_changes_nothing(
        small_fs: Path, tmp_path: Path) -> None:
    utts = [f"utt{i:05d}" for i in range(700)]   # ~100 KB of maps: fits only in part
    src = make_dir(tmp_path / "src", utts=utts)
    d = small_fs / "d"
    d.mkdir()
    for name in ("wav.scp", "utt2spk"):
        shutil.copy(src / name, d / name)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    res = run_util(["fix_data_dir.sh", str(d)], tmp_path)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(": no space left on device"), res.stderr
    assert lines[0].startswith(f"fix_data_dir.sh: error: {d}/")
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before   # no temp, no backup left
