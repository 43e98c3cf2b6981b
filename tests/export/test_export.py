"""spoofcm-export: for every neural mini model, the exported file (TorchScript and ONNX on
onnxruntime) scores files as the PyTorch detector does, within 1e-4 in fp32; a one-window
file gets spoofcm-score's PyTorch score; GMM systems are refused."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import exphelp  # noqa: E402
from helpers.exphelp import experiment  # noqa: E402

from spoofcm.audio.io import read_audio  # noqa: E402
from spoofcm.bin.export import main as export_main  # noqa: E402
from spoofcm.export.detector import build_detector  # noqa: E402
from spoofcm.export.exporter import export_experiment  # noqa: E402
from spoofcm.export.runtime import ExportedModel, WindowScorer, torch_batch_fn  # noqa: E402

TOL = 1e-4


def pytorch_scores(exp: Path, files: list[Path]) -> tuple[list[float], int]:
    det, _ = build_detector(exp)
    scorer = WindowScorer(torch_batch_fn(det), det.window)
    return [scorer.score(read_audio(str(f))) for f in files], det.window


def check_format(export_root: Path, dev_files: list[Path], name: str, fmt: str) -> None:
    exp = experiment(export_root, name)
    out = export_root / "out" / f"{name}.{'onnx' if fmt == 'onnx' else 'pt'}"
    export_experiment(exp, fmt, out)
    model = ExportedModel(out)
    assert model.format == fmt
    ref, window = pytorch_scores(exp, dev_files)
    assert model.window == window
    got = [model.score(read_audio(str(f))) for f in dev_files]
    np.testing.assert_allclose(got, ref, atol=TOL, rtol=0)
    assert len(set(np.round(ref, 6))) > 1  # the files are told apart: the test can fail


@pytest.mark.parametrize("name", exphelp.NEURAL)
def test_torchscript_equals_pytorch(export_root, dev_files, name):
    check_format(export_root, dev_files, name, "torchscript")


@pytest.mark.slow
@pytest.mark.parametrize("name", exphelp.NEURAL)
def test_onnx_on_onnxruntime_equals_pytorch(export_root, dev_files, name):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    check_format(export_root, dev_files, name, "onnx")


@pytest.mark.parametrize("name", ["fusion_cbam_resnet18", "rawnet2", "ssl_aasist"])
def test_one_window_file_gets_the_spoofcm_score_pytorch_score(export_root, name):
    """The detector's front ends are spoofcm-score's: equal on a file one window long."""
    from spoofcm.bin.score import experiment_scorer
    exp = experiment(export_root, name)
    det, _ = build_detector(exp)
    wave = exphelp.speech_like(det.window / 16000, seed=5)
    assert len(wave) == det.window
    from spoofcm.bin.score import build_parser
    args = build_parser().parse_args(["--exp", str(exp), "--device", "cpu"])
    ref_fn, _, _ = experiment_scorer(args)
    with torch.inference_mode():
        got = float(det(torch.from_numpy(wave)[None])[0])
    assert abs(got - ref_fn(wave, "one_window")) <= TOL


def test_long_input_is_scored_in_bounded_windows(export_root):
    exp = experiment(export_root, "lfcc_lcnn")
    det, _ = build_detector(exp)
    seen = []
    run = torch_batch_fn(det)

    def spy(batch):
        seen.append(batch.shape)
        return run(batch)
    wave = exphelp.speech_like(7.3, seed=2)
    scores = WindowScorer(spy, det.window, batch=3).window_scores(wave)
    assert len(scores) == 15 and all(s[0] <= 3 and s[1] == det.window for s in seen)
    # the last window ends at the end of the file: its score is that of the file's tail
    with torch.inference_mode():
        tail = float(det(torch.from_numpy(wave[-det.window:])[None])[0])
    assert abs(scores[-1] - tail) <= TOL


def test_sidecar_threshold_and_provenance(export_root, tmp_path, capsys):
    from spoofcm.export.sidecar import sha256_of
    from spoofcm.metrics.calibration import Calibration, DcfModel
    exp = tmp_path / "exp"
    exphelp.make_exp(exp, "lfcc_lcnn", export_root / "tiny_ssl.pt", threshold=0.25)
    out = tmp_path / "m.pt"
    assert export_main(["--exp", str(exp), "--format", "torchscript", "--out", str(out)]) == 0
    info = json.loads((tmp_path / "m.pt.json").read_text())
    assert info["threshold"]["value"] == 0.25 and "EER" in info["threshold"]["source"]
    assert info["provenance"]["checkpoint_sha256"] == sha256_of(exp / "best.pt")
    assert info["provenance"]["config"]["model"]["name"] == "lfcc_lcnn"
    assert info["file"]["sha256"] == sha256_of(out)
    assert info["input"]["sample_rate"] == 16000 and info["window"]["samples"] == 8000
    # finished work is skipped; a calibration written later is picked up with --force
    assert export_main(["--exp", str(exp), "--format", "torchscript", "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().err
    assert export_main(["--exp", str(exp), "--format", "torchscript", "--out", str(out),
                        "--window-seconds", "1"]) == 0
    assert "wrote" in capsys.readouterr().err
    assert json.loads((tmp_path / "m.pt.json").read_text())["window"]["samples"] == 16000
    Calibration(a=2.0, b=-1.0, n_bonafide=1, n_spoof=1).save(exp / "calibration.json")
    assert export_main(["--exp", str(exp), "--format", "torchscript", "--out", str(out),
                        "--force"]) == 0
    info = json.loads((tmp_path / "m.pt.json").read_text())
    assert info["threshold"]["value"] == pytest.approx((DcfModel().bayes_threshold + 1.0) / 2.0)
    assert info["threshold"]["calibration"]["a"] == 2.0
    # a calibration that inverts the scores (slope <= 0) gives no threshold: the EER one is kept
    Calibration(a=-1.0, b=0.0, n_bonafide=1, n_spoof=1).save(exp / "calibration.json")
    assert export_main(["--exp", str(exp), "--format", "torchscript", "--out", str(out),
                        "--force"]) == 0
    info = json.loads((tmp_path / "m.pt.json").read_text())["threshold"]
    assert info["value"] == 0.25 and "not positive" in info["source"]
    (exp / "calibration.json").unlink()
    (exp / "threshold.json").unlink()
    assert export_main(["--exp", str(exp), "--format", "torchscript", "--out", str(out),
                        "--force"]) == 0
    assert json.loads((tmp_path / "m.pt.json").read_text())["threshold"]["value"] is None


def test_gmm_and_bad_input_are_refused_in_one_line(tmp_path, capsys):
    from helpers import tinycm  # noqa: E402
    from spoofcm.train import checkpoint as ckpt
    exp = tmp_path / "gmm"
    exp.mkdir()
    cfg = {"model": {"name": "helpers.tinycm:build_gmm"}}
    ckpt.save({"model": tinycm.MeanAbsGMM().state_dict(), "config": cfg}, exp / "best.pt")
    out = tmp_path / "gmm.pt"
    assert export_main(["--exp", str(exp), "--format", "onnx", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "not a neural network" in err and "GMM" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
    assert export_main(["--exp", str(tmp_path / "nope"), "--format", "torchscript",
                        "--out", str(out)]) == 1
    assert "experiment directory not found" in capsys.readouterr().err
