"""Feature scp entries that are shell commands are refused unless SPOOFCM_ALLOW_PIPES=1
(issue 14, class 6)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers import tinycm  # noqa: E402

from spoofcm.data.dataset import StreamDataset  # noqa: E402
from spoofcm.data.scp import check_scp  # noqa: E402
from spoofcm.errors import SpoofcmError  # noqa: E402


def test_pipe_entry_refused_with_file_line_and_the_opt_in(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SPOOFCM_ALLOW_PIPES", raising=False)
    scp = tmp_path / "feats.scp"
    scp.write_text(f"u1 /x/feats.ark:12\nu2 touch {tmp_path}/pwned |\n")
    with pytest.raises(SpoofcmError, match=rf"^{scp}:2: entry of 'u2' is a shell command .*"
                                           r"set SPOOFCM_ALLOW_PIPES=1$"):
        check_scp(scp)
    monkeypatch.setenv("SPOOFCM_ALLOW_PIPES", "1")
    assert check_scp(scp) == ["u1", "u2"]


def test_dataset_refuses_a_copied_feature_cache_with_a_command(tmp_path: Path,
                                                              monkeypatch) -> None:
    monkeypatch.delenv("SPOOFCM_ALLOW_PIPES", raising=False)
    root = tinycm.make_corpus(tmp_path, n_train=2, n_dev=2, wav=False)
    scp = root / "dump" / "logmel" / "dev" / "feats.scp"
    lines = scp.read_text().splitlines()
    utt = lines[0].split()[0]
    lines[0] = f"{utt} touch {tmp_path}/pwned |"
    scp.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpoofcmError, match=rf"^{scp}:1: entry of '{utt}' is a shell command"):
        ds = StreamDataset(root / "data" / "dev", root / "dump", "dev", ["logmel"],
                           tinycm.base_config(), mode="eval")
        ds[0]
    assert not (tmp_path / "pwned").exists()
