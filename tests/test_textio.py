"""One text policy for every reader (issue 14, class 3): BOM dropped, CRLF read as LF,
non-UTF-8 rejected with file and line — in the Python readers and the shell tools alike."""
from __future__ import annotations

from pathlib import Path

import pytest

from spoofcm.data.asvspoof import parse_la19_protocol
from spoofcm.data.datadir import read_map
from spoofcm.errors import SpoofcmError
from spoofcm.metrics.keys import read_score_file
from spoofcm.textio import read_lines

BOM = b"\xef\xbb\xbf"


def test_bom_and_crlf_are_dropped(tmp_path: Path) -> None:
    p = tmp_path / "utt2spk"
    p.write_bytes(BOM + b"u1 s1\r\nu2 s2\r\n")
    assert list(read_lines(p)) == [(1, "u1 s1"), (2, "u2 s2")]
    assert read_map(p) == {"u1": "s1", "u2": "s2"}


def test_latin1_is_one_line_error_with_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "wav.scp"
    p.write_bytes(b"u1 /a.wav\nu2 /caf\xe9.wav\n")
    with pytest.raises(SpoofcmError, match=rf"^{p}:2: not UTF-8 text \(byte 0xe9 at column 8\)"):
        read_map(p)


def test_protocol_reader_follows_the_policy(tmp_path: Path) -> None:
    p = tmp_path / "protocol.txt"
    p.write_bytes(BOM + b"LA_0079 LA_T_1 - - bonafide\r\nLA_0079 LA_T_2 - A01 spoof\r\n")
    trials = parse_la19_protocol(p)
    assert [t.utt for t in trials] == ["LA_T_1", "LA_T_2"]
    p.write_bytes(b"LA_0079 LA_T_1 - - bonafide\nLA_0079 LA_T_\xff - A01 spoof\n")
    with pytest.raises(SpoofcmError, match=rf"^{p}:2: not UTF-8"):
        parse_la19_protocol(p)


def test_score_reader_follows_the_policy(tmp_path: Path) -> None:
    p = tmp_path / "score.txt"
    p.write_bytes(BOM + b"u1 1.5\r\nu2 -0.5\r\n")
    ids, scores = read_score_file(p)
    assert [bytes(i) for i in ids] == [b"u1", b"u2"] and list(scores) == [1.5, -0.5]
    p.write_bytes(b"u1 1.5\nu2 -0.5\nu\xe93 0.1\n")
    with pytest.raises(SpoofcmError, match=rf"^{p}:3: not UTF-8"):
        read_score_file(p)
