"""Stages 1-2 stop before a dump when its file system is short (issue 10: disk budgets)."""
from __future__ import annotations

import shutil
from collections import namedtuple

import pytest

from helpers import tinycm
from spoofcm.bin.dump_logmel import main as dump_logmel
from spoofcm.data.dump import check_space, estimate_dump_bytes
from spoofcm.errors import SpoofcmError

Usage = namedtuple("Usage", "total used free")


def test_estimate_follows_lengths_and_feature_shape(tmp_path):
    tinycm.write_set(tmp_path, "dev", [16400, 32400], ["bonafide", "spoof"])
    data = tmp_path / "data" / "dev"
    frames = (1 + (16400 - 400) // 160) + (1 + (32400 - 400) // 160)
    need = estimate_dump_bytes(data, 160, 128, 4)
    assert frames * 128 * 4 <= need <= frames * 128 * 4 + 1000   # + headers and scp lines
    ssl = estimate_dump_bytes(data, 320, 1024, 2)               # one XLS-R layer, float16
    assert ssl > need


def test_short_file_system_is_one_line_before_anything_is_written(tmp_path, monkeypatch, capsys):
    tinycm.write_set(tmp_path, "dev", [16400, 32400], ["bonafide", "spoof"])
    out = tmp_path / "dump" / "logmel2" / "dev"
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(SpoofcmError, match=r"needs about .* but only 1.0 KB are free"):
        check_space(out, 50_000)
    assert dump_logmel(["--data", str(tmp_path / "data" / "dev"), "--out", str(out),
                        "--check-space"]) == 1
    err = capsys.readouterr().err
    assert "dev" in err and "free on its file system" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(10**12, 0, 10**12))
    assert dump_logmel(["--data", str(tmp_path / "data" / "dev"), "--out", str(out),
                        "--check-space"]) == 0
