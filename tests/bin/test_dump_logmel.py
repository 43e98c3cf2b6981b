"""Stage 1 dump: per-job ark/scp readable with kaldiio, equal to logmel(), resumable."""
from __future__ import annotations

import os
from pathlib import Path

import kaldiio
import numpy as np
import pytest
import soundfile as sf

from spoofcm.bin.dump_logmel import main as dump_main
from spoofcm.data.datadir import write_data_dir
from spoofcm.features.logmel import logmel


def make_data(tmp_path: Path, lengths: dict[str, int], sr: dict[str, int] | None = None) -> Path:
    wav, num = {}, {}
    for i, (utt, n) in enumerate(lengths.items()):
        path = tmp_path / "audio" / f"{utt}.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        rate = (sr or {}).get(utt, 16000)
        data = 0.2 * np.random.default_rng(i).standard_normal(n)
        sf.write(str(path), data, rate, format="FLAC")
        wav[utt] = str(path)
        num[utt] = -(-n * 16000 // rate)
    utts = list(lengths)
    return write_data_dir(tmp_path / "data", wav=wav, utt2spk={u: "spk1" for u in utts},
                          utt2label={u: "bonafide" for u in utts},
                          utt2attack={u: "-" for u in utts}, utt2cond={u: "-" for u in utts},
                          utt2num_samples=num).path


def _run(data: Path, out: Path, job: int, nj: int) -> int:
    return dump_main(["--data", str(data), "--out", str(out), "--job", str(job), "--nj", str(nj),
                      "--no-progress"])


def test_two_jobs_resume_and_equal_logmel(tmp_path, capsys):
    lengths = {"u1": 3000, "u2": 400, "u3": 16000, "u4": 7777, "u5": 250}
    data, out = make_data(tmp_path, lengths), tmp_path / "dump"
    assert _run(data, out, 1, 2) == 0          # job 1 finishes; then "killed" before job 2
    assert sorted(p.name for p in out.iterdir()) == \
        [".done.1", "feats.1.ark", "feats.1.scp", "utt2num_frames.1.txt"]
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    for job in (1, 2):                         # rerun all jobs: job 1 is skipped
        assert _run(data, out, job, 2) == 0
    assert "job 1/2: already done" in capsys.readouterr().err
    assert all(stamps[n] == (out / n).stat().st_mtime_ns for n in stamps)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".feats")]
    scp1 = (out / "feats.1.scp").read_text().split()
    assert scp1[0] == "u1" and scp1[1].startswith(str((out / "feats.1.ark").resolve()) + ":")
    feats = {}
    for job in (1, 2):
        feats.update(kaldiio.load_scp(str(out / f"feats.{job}.scp")))
    assert list(feats) == ["u1", "u2", "u3", "u4", "u5"]
    frames = dict(line.split() for job in (1, 2)
                  for line in (out / f"utt2num_frames.{job}.txt").read_text().splitlines())
    for utt, n in lengths.items():
        wave = sf.read(str(tmp_path / "audio" / f"{utt}.flac"), dtype="float32")[0]
        mat = feats[utt]
        assert mat.dtype == np.float32 and mat.shape == (1 + max(0, n - 400) // 160, 128)
        np.testing.assert_array_equal(mat, logmel(wave).numpy())
        assert int(frames[utt]) == mat.shape[0]


def test_other_rates_are_resampled_with_warning(tmp_path, capsys):
    data = make_data(tmp_path, {"a": 22050, "b": 1600}, sr={"a": 22050})
    assert _run(data, tmp_path / "dump", 1, 1) == 0
    assert "a.flac: sample rate 22050 Hz resampled to 16000 Hz" in capsys.readouterr().err
    mat = kaldiio.load_scp(str(tmp_path / "dump" / "feats.1.scp"))["a"]
    assert mat.shape == (98, 128)


@pytest.mark.parametrize("damage", ["corrupt", "empty"])
def test_bad_audio_fails_the_job_naming_the_file(tmp_path, capsys, damage):
    data = make_data(tmp_path, {"a": 1000, "b": 1000})
    bad = tmp_path / "audio" / "b.flac"
    original = bad.read_bytes()
    if damage == "corrupt":
        bad.write_bytes(b"garbage" * 10)
    else:
        sf.write(str(bad), np.zeros((0, 1), np.float32), 16000, format="WAV")
    assert _run(data, tmp_path / "dump", 1, 1) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0]
    assert sorted(os.listdir(tmp_path / "dump")) == []  # nothing half-written, no done marker
    bad.write_bytes(original)  # the job failed mid-way; once the file is fixed a rerun completes
    assert _run(data, tmp_path / "dump", 1, 1) == 0
    assert list(kaldiio.load_scp(str(tmp_path / "dump" / "feats.1.scp"))) == ["a", "b"]


def test_more_jobs_than_utterances_and_stale_lengths(tmp_path, capsys):
    data = make_data(tmp_path, {"a": 1000})
    assert _run(data, tmp_path / "dump", 2, 2) == 0
    assert (tmp_path / "dump" / "feats.2.scp").read_text() == ""
    assert (tmp_path / "dump" / ".done.2").is_file()
    (data / "utt2num_samples").write_text("a 999\n")
    assert _run(data, tmp_path / "dump2", 1, 1) == 1
    assert "utt2num_samples says 999" in capsys.readouterr().err
