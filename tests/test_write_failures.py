"""A full disk or a failed write (issue 14, class 5) is one line naming the path; nothing
half-written is left for a rerun to trust; renames are durable; killed runs' partial files are
removed (class 9)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from spoofcm.audio.io import read_audio
from spoofcm.bin import dump_logmel
from spoofcm.data.datadir import write_data_dir
from spoofcm.errors import SpoofcmError, cli_main
from spoofcm.fsutil import atomic_write_text
from spoofcm.train import checkpoint as ckpt


def _one_line_enospc(err: str, path: Path | str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].endswith(": no space left on device") and str(path) in lines[0], err


def test_checkpoint_on_a_full_disk_keeps_the_old_one(small_fs: Path, capsys) -> None:
    latest = small_fs / "latest.pt"
    ckpt.save({"w": torch.zeros(10)}, latest)
    old = latest.read_bytes()
    with pytest.raises(SpoofcmError) as exc:
        ckpt.save({"w": torch.zeros(100_000)}, latest)   # 400 KB into 64 KiB
    _one_line_enospc(str(exc.value), latest)
    assert latest.read_bytes() == old
    assert sorted(p.name for p in small_fs.iterdir()) == ["latest.pt"]


@pytest.mark.parametrize("cut", [0, 10, 0.5])
def test_empty_or_truncated_checkpoint_is_one_line(tmp_path: Path, cut) -> None:
    good = tmp_path / "good.pt"
    ckpt.save({"w": torch.zeros(1000)}, good)
    data = good.read_bytes()
    bad = tmp_path / "latest.pt"
    bad.write_bytes(data[: int(cut * len(data)) if isinstance(cut, float) else cut])
    with pytest.raises(SpoofcmError) as exc:
        ckpt.load(bad)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{bad}: ")
    assert "empty checkpoint" in msg or "truncated or corrupt" in msg


def test_atomic_writes_are_fsynced_before_the_rename(tmp_path: Path, monkeypatch) -> None:
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    ckpt.save({"w": torch.zeros(3)}, tmp_path / "best.pt")
    assert calls == ["fsync", "replace", "fsync"]   # file data, rename, then the folder


def test_text_writer_on_a_full_disk(small_fs: Path) -> None:
    target = small_fs / "score.txt"
    with pytest.raises(SpoofcmError) as exc:
        atomic_write_text(target, "u 1.0\n" * 20000)
    _one_line_enospc(str(exc.value), target)
    assert list(small_fs.iterdir()) == []


def _data(tmp_path: Path, seconds: float = 5.0, missing: bool = False) -> Path:
    wav = tmp_path / "a.wav"
    if not missing:
        sf.write(wav, (0.1 * np.random.default_rng(0).standard_normal(int(16000 * seconds))
                       ).astype(np.float32), 16000)
    return write_data_dir(tmp_path / "data", wav={"u1": str(wav)}, utt2spk={"u1": "s"},
                          utt2label={"u1": "bonafide"}, utt2attack={"u1": "-"},
                          utt2cond={"u1": "-"}).path


def test_dump_logmel_on_a_full_disk(small_fs: Path, tmp_path: Path, capsys) -> None:
    data = _data(tmp_path)                                  # 500 frames x 128 floats: 256 KB
    out = small_fs / "logmel"
    assert dump_logmel.main(["--data", str(data), "--out", str(out), "--no-progress"]) == 1
    _one_line_enospc(capsys.readouterr().err, f"{out}/feats.1.")   # the ark or its scp
    assert list(out.iterdir()) == []                        # no partial ark, no marker


def test_a_killed_dumps_hidden_partial_ark_is_removed(tmp_path: Path) -> None:
    data = _data(tmp_path, seconds=1.0)
    out = tmp_path / "logmel"
    out.mkdir()
    stale = out / ".feats.1.ark.k3j2l1.ark"                 # what kill -9 leaves
    stale.write_bytes(b"\0" * 4096)
    assert dump_logmel.main(["--data", str(data), "--out", str(out), "--no-progress"]) == 0
    assert not stale.exists()
    assert sorted(p.name for p in out.iterdir()) == [".done.1", "feats.1.ark", "feats.1.scp",
                                                     "utt2num_frames.1.txt"]


def test_missing_audio_is_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(SpoofcmError, match=rf"^{tmp_path}/gone.flac: no such file$"):
        read_audio(tmp_path / "gone.flac")


def test_cli_main_reports_an_os_error_in_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["spoofcm-x"])

    @cli_main
    def main() -> int:
        raise OSError(28, "No space left on device", "/x/out.txt")
    assert main() == 1
    assert capsys.readouterr().err == "spoofcm-x: error: /x/out.txt: no space left on device\n"


def test_score_out_on_a_full_disk(small_fs: Path, tmp_path: Path, capsys) -> None:
    from spoofcm.bin.score import main as score_main
    from helpers.attnprobe import noise, probe_exp

    exp = tmp_path / "exp"
    probe_exp(exp)
    wavs = [tmp_path / f"{i}.wav" for i in range(3)]
    for i, wav in enumerate(wavs):
        sf.write(wav, noise(0.5, seed=i), 16000)
    with pytest.raises(OSError):   # fill the disk completely
        (small_fs / "filler").write_bytes(b"\0" * 128 * 1024)
    out = small_fs / "score.txt"
    assert score_main(["--exp", str(exp), *map(str, wavs), "--device", "cpu",
                       "--out", str(out)]) == 1
    _one_line_enospc(capsys.readouterr().err.replace("# threshold", "").split("\n", 1)[1], out)
    assert sorted(p.name for p in small_fs.iterdir()) == ["filler"]
