"""A trained experiment can be pointed at a moved SSL checkpoint (issue 14, class 8):
--ssl-checkpoint wins, then exp/config.yaml, then what best.pt recorded; the error names the
option."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import soundfile as sf
import yaml

from helpers.tinycm import make_exp, tone  # noqa: E402

from spoofcm.bin.score import main as score_main  # noqa: E402
from spoofcm.infer.ssl_path import with_ssl_checkpoint  # noqa: E402


def test_precedence(tmp_path: Path) -> None:
    cfg = {"ssl": {"checkpoint": "/old/x.pt", "layers": [-1]}}
    assert with_ssl_checkpoint(tmp_path, cfg)["ssl"]["checkpoint"] == "/old/x.pt"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"ssl": {"checkpoint": "/new/y.pt"}}))
    assert with_ssl_checkpoint(tmp_path, cfg)["ssl"]["checkpoint"] == "/new/y.pt"
    assert with_ssl_checkpoint(tmp_path, cfg, "/cli/z.pt")["ssl"]["checkpoint"] == "/cli/z.pt"
    assert cfg["ssl"]["checkpoint"] == "/old/x.pt"          # the checkpoint's copy is untouched


def test_moved_ssl_checkpoint(tmp_path: Path, capsys) -> None:
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    old = tmp_path / "old" / "tiny_ssl.pt"
    old.parent.mkdir()
    write_random_checkpoint(old, "tiny", 0)
    exp = tmp_path / "exp"
    make_exp(exp, ["ssl", "logmel"], {"checkpoint": str(old), "layers": [-1], "cache": True,
                                      "freeze": True}, ssl_dim=64)
    wav = tmp_path / "a.wav"
    sf.write(wav, tone(16000, 1.0), 16000)
    assert score_main(["--exp", str(exp), str(wav), "--device", "cpu"]) == 0
    expected = capsys.readouterr().out
    moved = tmp_path / "new" / "tiny_ssl.pt"
    moved.parent.mkdir()
    shutil.move(old, moved)
    assert score_main(["--exp", str(exp), str(wav), "--device", "cpu"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{old}: SSL checkpoint not found" in err
    assert "--ssl-checkpoint" in err and "config.yaml" in err
    # 1. the option
    assert score_main(["--exp", str(exp), str(wav), "--device", "cpu",
                       "--ssl-checkpoint", str(moved)]) == 0
    assert capsys.readouterr().out == expected
    # 2. the experiment's config.yaml, not the copy inside best.pt
    (exp / "config.yaml").write_text(yaml.safe_dump({"ssl": {"checkpoint": str(moved)}}))
    assert score_main(["--exp", str(exp), str(wav), "--device", "cpu"]) == 0
    assert capsys.readouterr().out == expected
