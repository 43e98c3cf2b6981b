"""Audio at the extremes (issue 14, class 2): long files score in bounded memory, a file
shorter than one SSL frame is refused for that file only, the others are scored."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from helpers import attnprobe
from helpers.attnprobe import noise, probe_exp
from spoofcm.bin.score import main as score_main
from spoofcm.infer.long import WINDOW_BATCH, mean_logits, stream_parts, window_starts
from spoofcm.train import checkpoint as ckpt


def test_window_starts_cover_everything_with_overlap() -> None:
    assert window_starts(10, 20, 10) == [0]
    assert window_starts(100, 40, 20) == [0, 20, 40, 60]
    assert window_starts(105, 40, 20) == [0, 20, 40, 60, 65]


def test_long_file_scores_in_bounded_memory(tmp_path: Path, capsys) -> None:
    exp = tmp_path / "exp"
    probe_exp(exp, crop_seconds=1.0)
    wav = tmp_path / "long.wav"
    sf.write(wav, noise(60.0), 16000)                 # 1 minute
    attnprobe.SEEN.update(frames=0, batch=0, calls=0)
    rc = score_main(["--exp", str(exp), str(wav), "--device", "cpu", "--max-seconds", "5"])
    out = capsys.readouterr().out
    assert rc == 0 and np.isfinite(float(out.split()[1]))
    # the attention saw at most one 1 s crop (100 log-mel frames), WINDOW_BATCH at a time
    assert attnprobe.SEEN["frames"] <= 100 and attnprobe.SEEN["batch"] <= WINDOW_BATCH
    assert attnprobe.SEEN["calls"] >= 119 // WINDOW_BATCH   # every 0.5 s hop was scored
    # below --max-seconds the file is scored whole, as before
    short = tmp_path / "short.wav"
    sf.write(short, noise(5.0), 16000)
    attnprobe.SEEN.update(frames=0, batch=0, calls=0)
    assert score_main(["--exp", str(exp), str(short), "--device", "cpu"]) == 0
    assert attnprobe.SEEN["frames"] > 400 and attnprobe.SEEN["calls"] == 1


def test_long_cached_streams_are_scored_in_crops_of_bounded_size() -> None:
    model = attnprobe.build({}, {}).eval()
    long = {"logmel": np.random.default_rng(0).standard_normal((12000, 128)).astype(np.float32)}
    attnprobe.SEEN.update(frames=0, batch=0, calls=0)
    logits = mean_logits(model, stream_parts(long, None, 1000, 200), torch.device("cpu"))
    assert logits.shape == (1, 2) and attnprobe.SEEN["frames"] == 400
    assert attnprobe.SEEN["batch"] <= WINDOW_BATCH
    # the mean of the crops' logits, exactly
    crops = list(stream_parts(long, None, 1000, 200))
    with torch.no_grad():
        each = torch.cat([model({"logmel": torch.from_numpy(c["logmel"])[None]}) for c in crops])
    assert torch.allclose(logits, each.mean(dim=0, keepdim=True), atol=1e-5)


def test_file_shorter_than_one_ssl_frame_is_refused_alone(tmp_path: Path, capsys) -> None:
    exp = tmp_path / "exp"
    probe_exp(exp)
    tiny, good = tmp_path / "tiny.wav", tmp_path / "good.wav"
    sf.write(tiny, noise(0.015), 16000)   # 240 samples
    sf.write(good, noise(2.0), 16000)
    rc = score_main(["--exp", str(exp), str(tiny), str(good), "--device", "cpu",
                     "--out", str(tmp_path / "score.txt")])
    out, err = capsys.readouterr()
    assert rc == 1
    assert f"{tiny}: 240 samples, shorter than one SSL frame (400 samples at 16 kHz)" in err
    assert [ln.split()[0] for ln in out.splitlines()] == [str(good)]
    assert (tmp_path / "score.txt").read_text().split()[0] == str(good)


def test_a_model_failure_on_one_file_does_not_lose_the_others(tmp_path: Path, capsys,
                                                             monkeypatch) -> None:
    exp = tmp_path / "exp"
    probe_exp(exp)
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    sf.write(a, noise(0.5), 16000)
    sf.write(b, noise(2.0), 16000)
    real = attnprobe.AttnProbe.forward

    def fragile(self, batch):
        if batch["logmel"].shape[1] < 60:
            raise RuntimeError("Calculated padded input size per channel: (2). Kernel size: (3)")
        return real(self, batch)
    monkeypatch.setattr(attnprobe.AttnProbe, "forward", fragile)
    assert score_main(["--exp", str(exp), str(a), str(b), "--device", "cpu"]) == 1
    out, err = capsys.readouterr()
    assert f"{a}: the model cannot score it (Calculated padded input size" in err
    assert out.split()[0] == str(b)
