"""spoofcm-score --model FILE: scores without the experiment dir, from the sidecar or the
metadata embedded in the file; clear one-line errors."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from helpers.exphelp import experiment  # noqa: E402

from spoofcm.audio.io import read_audio  # noqa: E402
from spoofcm.bin.score import main as score_main  # noqa: E402
from spoofcm.export.exporter import export_experiment  # noqa: E402
from spoofcm.export.runtime import ExportedModel  # noqa: E402


@pytest.fixture(scope="module")
def exported(export_root, tmp_path_factory) -> Path:
    """An export copied away from its experiment, which is then gone."""
    exp = experiment(export_root, "fusion_cbam_resnet18")
    out = tmp_path_factory.mktemp("exported") / "detector.pt"
    export_experiment(exp, "torchscript", out)
    return out


def test_score_with_exported_model(exported, dev_files, tmp_path, capsys):
    paths = [str(p) for p in dev_files]
    rc = score_main(["--model", str(exported), *paths, "--out", str(tmp_path / "s.txt")])
    captured = capsys.readouterr()
    assert rc == 0
    model = ExportedModel(exported)
    lines = [ln.split() for ln in captured.out.splitlines()]
    assert [ln[0] for ln in lines] == paths
    for (name, score, label), path in zip(lines, dev_files):
        assert abs(float(score) - model.score(read_audio(str(path)))) < 1e-5
        assert label == ("bonafide" if float(score) >= model.threshold else "spoof")
    assert "from detector.pt" in captured.err
    assert (tmp_path / "s.txt").read_text().split()[::2] == paths


def test_embedded_metadata_when_the_sidecar_is_lost(exported, dev_files, tmp_path, capsys):
    lone = tmp_path / "renamed.ts"
    shutil.copy(exported, lone)
    assert score_main(["--model", str(lone), str(dev_files[0])]) == 0
    with_sidecar = ExportedModel(exported).score(read_audio(str(dev_files[0])))
    assert abs(float(capsys.readouterr().out.split()[1]) - with_sidecar) < 1e-5


def test_usage_errors(exported, dev_files, tmp_path, capsys):
    wav = str(dev_files[0])
    assert score_main([wav]) == 1
    assert "exactly one of --exp" in capsys.readouterr().err
    assert score_main(["--model", str(exported), "--exp", "x", wav]) == 1
    assert "exactly one of --exp" in capsys.readouterr().err
    assert score_main(["--model", str(exported), "--window-seconds", "2", wav]) == 1
    assert "fixed window" in capsys.readouterr().err
    assert score_main(["--model", str(tmp_path / "missing.onnx"), wav]) == 1
    assert "missing.onnx: exported model not found" in capsys.readouterr().err
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\0junk" * 20)
    assert score_main(["--model", str(junk), wav]) == 1
    err = capsys.readouterr().err
    assert "junk.onnx" in err and len(err.strip().splitlines()) == 1
    bad_side = tmp_path / "d.pt"
    shutil.copy(exported, bad_side)
    (tmp_path / "d.pt.json").write_text("{not json")
    assert score_main(["--model", str(bad_side), wav]) == 1
    assert "d.pt.json: not a spoofcm export sidecar" in capsys.readouterr().err
