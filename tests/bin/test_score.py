"""spoofcm-score: any rate/channel count, corrupt files reported by name, stored threshold,
and on-the-fly features equal to the cached ones stage 4 scores from."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from helpers import tinycm  # noqa: E402
from helpers.tinycm import make_exp, tone  # noqa: E402

pytest.importorskip("spoofcm.audio.io")
pytest.importorskip("spoofcm.features.logmel")

from spoofcm.bin.score import main as score_main  # noqa: E402
from spoofcm.train import checkpoint as ckpt  # noqa: E402


@pytest.fixture()
def audio(tmp_path) -> list[Path]:
    files = [(tmp_path / "a16k.wav", 16000, 1), (tmp_path / "b8k.wav", 8000, 1),
             (tmp_path / "c44k_stereo.flac", 44100, 2), (tmp_path / "d22k.flac", 22050, 1),
             (tmp_path / "e16k_stereo.wav", 16000, 2)]
    for path, sr, ch in files:
        sf.write(path, tone(sr, 1.3, ch), sr)
    return [p for p, _, _ in files]


def test_files_of_any_rate_and_channels_and_a_corrupt_one(tmp_path, audio, capsys):
    exp = tmp_path / "exp"
    make_exp(exp, ["wav", "logmel"], {"cache": False})
    bad = tmp_path / "broken.flac"
    bad.write_bytes(b"not audio at all" * 10)
    paths = [str(audio[0]), str(bad), *map(str, audio[1:])]
    rc = score_main(["--exp", str(exp), *paths, "--out", str(tmp_path / "score.txt"),
                     "--device", "cpu"])
    out, err = capsys.readouterr()
    assert rc == 1
    assert "broken.flac" in err and "1 of 6 files failed" in err
    lines = [ln.split() for ln in out.splitlines()]
    assert [ln[0] for ln in lines] == [p for p in paths if p != str(bad)]
    for name, score, label in lines:
        assert label == ("bonafide" if float(score) >= 0.0 else "spoof")
    written = (tmp_path / "score.txt").read_text().split()
    assert written[::2] == [ln[0] for ln in lines]
    # the same signal in two identical channels is mixed down to the mono file's samples
    s = {Path(n).name: float(v) for n, v, _ in lines}
    assert abs(s["a16k.wav"] - s["e16k_stereo.wav"]) < 1e-4


def test_calibrated_threshold_overrides_eer_threshold(tmp_path, audio, capsys):
    exp = tmp_path / "exp"
    make_exp(exp, ["logmel"], {"cache": False})
    assert score_main(["--exp", str(exp), str(audio[0]), "--device", "cpu"]) == 0
    score = float(capsys.readouterr().out.split()[1])
    # a calibration whose Bayes threshold sits just above / below this score flips the call
    from spoofcm.metrics.calibration import Calibration, DcfModel
    tau = DcfModel().bayes_threshold
    for shift, label in ((+0.01, "spoof"), (-0.01, "bonafide")):
        Calibration(a=1.0, b=tau - (score + shift),
                    n_bonafide=1, n_spoof=1).save(exp / "calibration.json")
        assert score_main(["--exp", str(exp), str(audio[0]), "--device", "cpu"]) == 0
        captured = capsys.readouterr()
        assert captured.out.split()[2] == label
        assert "calibrated" in captured.err


def test_wav_scp_and_usage_errors(tmp_path, audio, capsys):
    exp = tmp_path / "exp"
    make_exp(exp, ["logmel"], {"cache": False})
    scp = tmp_path / "wav.scp"
    scp.write_text("".join(f"utt{i} {p}\n" for i, p in enumerate(audio)))
    assert score_main(["--exp", str(exp), "--wav-scp", str(scp), "--device", "cpu"]) == 0
    assert [ln.split()[0] for ln in capsys.readouterr().out.splitlines()] == \
        ["utt0", "utt1", "utt2", "utt3", "utt4"]
    assert score_main(["--exp", str(exp)]) == 1
    assert "no input" in capsys.readouterr().err
    (exp / "threshold.json").write_text("{not json")  # unusable: raw log-odds, with a warning
    assert score_main(["--exp", str(exp), str(audio[0]), "--device", "cpu"]) == 0
    out, err = capsys.readouterr()
    assert "threshold.json" in err and "warning" in err and len(out.split()) == 3
    (exp / "threshold.json").unlink()          # no threshold at all: raw scores and a note
    assert score_main(["--exp", str(exp), str(audio[0]), "--device", "cpu"]) == 0
    out, err = capsys.readouterr()
    assert out.split()[2] == "-" and "no decision threshold" in err
    (exp / "best.pt").unlink()
    assert score_main(["--exp", str(exp), str(audio[0])]) == 1
    assert "threshold.json: not found" in capsys.readouterr().err


def test_on_the_fly_ssl_and_logmel_equal_the_cached_features(tmp_path):
    """spoofcm-score (features computed now) == spoofcm-infer (stage 1/2 caches)."""
    from spoofcm.bin.dump_logmel import main as dump_logmel
    from spoofcm.bin.dump_ssl import main as dump_ssl
    from spoofcm.bin.infer import main as infer_main
    from spoofcm.ssl.cache import ssl_tag
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    root = tmp_path / "r"
    tinycm.write_set(root, "dev", [5000, 16000, 23456], ["bonafide", "spoof", "bonafide"])
    ssl_ckpt = tmp_path / "tiny_ssl.pt"
    write_random_checkpoint(ssl_ckpt, "tiny", 0)
    shutil.rmtree(root / "dump")
    data = root / "data" / "dev"
    lm, ss = root / "dump" / "logmel" / "dev", root / "dump" / "ssl" / ssl_tag(ssl_ckpt, [-1]) / "dev"
    assert dump_logmel(["--data", str(data), "--out", str(lm), "--no-progress"]) == 0
    assert dump_ssl(["--data", str(data), "--out", str(ss), "--checkpoint", str(ssl_ckpt),
                     "--layers", "-1"]) == 0
    for d in (lm, ss):
        shutil.copy(d / "feats.1.scp", d / "feats.scp")
    dim = int((ss / "dim").read_text())
    exp = tmp_path / "exp"
    make_exp(exp, ["ssl", "logmel"], {"checkpoint": str(ssl_ckpt), "layers": [-1],
                                      "cache": True, "freeze": True,
                                      "cache_dir": f"ssl/{ss.parent.name}"}, ssl_dim=dim)
    out = tmp_path / "scores"
    assert infer_main(["--exp", str(exp), "--data", str(data), "--dump-dir", str(root / "dump"),
                       "--out", str(out), "--device", "cpu", "--features", "cache"]) == 0
    cached = dict(ln.split() for ln in (out / "score.1.txt").read_text().splitlines())
    # stage 4 without a cache: features computed from the audio in the scoring loop
    assert infer_main(["--exp", str(exp), "--data", str(data), "--out", str(tmp_path / "audio"),
                       "--device", "cpu"]) == 0
    audio = dict(ln.split() for ln in (tmp_path / "audio" / "score.1.txt").read_text().splitlines())
    assert list(audio) == list(cached)
    # the same scores, bit for bit, with the set split into two jobs (batches planned over the set)
    split = {}
    for job in (1, 2):
        assert infer_main(["--exp", str(exp), "--data", str(data), "--out", str(tmp_path / "a2"),
                           "--device", "cpu", "--job", str(job), "--nj", "2"]) == 0
        split.update(ln.split() for ln in (tmp_path / "a2" / f"score.{job}.txt").read_text().splitlines())
    assert split == audio
    for u in audio:
        assert float(audio[u]) == pytest.approx(float(cached[u]), abs=2e-3)
    res = score_main(["--exp", str(exp), "--wav-scp", str(data / "wav.scp"), "--device", "cpu",
                      "--out", str(tmp_path / "fly.txt")])
    assert res == 0
    fly = dict(ln.split() for ln in (tmp_path / "fly.txt").read_text().splitlines())
    assert list(fly) == list(cached)
    for u in fly:
        assert float(fly[u]) == pytest.approx(float(cached[u]), abs=2e-3)
