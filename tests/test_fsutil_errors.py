import sys

import pytest

from spoofcm.errors import SpoofcmError, cli_main
from spoofcm.fsutil import atomic_path, atomic_write_text, is_done, mark_done


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("killed")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    atomic_write_text(target, "whole")
    assert target.read_text() == "whole"


def test_done_markers(tmp_path):
    marker = tmp_path / "sub" / ".done.1"
    assert not is_done(marker)
    mark_done(marker, "ok")
    assert is_done(marker) and marker.read_text() == "ok\n"


def test_cli_main_turns_errors_into_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["spoofcm-x"])

    @cli_main
    def main():
        raise SpoofcmError("a.txt:3: bad score 'x'")

    assert main() == 1
    err = capsys.readouterr().err
    assert err == "spoofcm-x: error: a.txt:3: bad score 'x'\n"


def test_atomic_outputs_get_normal_permissions(tmp_path):
    import os
    target = tmp_path / "f"
    atomic_write_text(target, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
