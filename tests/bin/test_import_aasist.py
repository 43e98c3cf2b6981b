"""spoofcm-import-aasist: released AASIST state dicts become experiments spoofcm-score and
spoofcm-infer use unchanged, with provenance, the fit check, data-only loading, no threshold."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch
import yaml

from spoofcm.bin.import_aasist import main as import_main
from spoofcm.bin.score import main as score_main
from spoofcm.models.aasist_release import RELEASES
from spoofcm.models.raw_aasist import build_aasist
from spoofcm.infer.load import load_exp_model


@pytest.fixture(scope="module")
def release_like(tmp_path_factory):
    """A random AASIST-L in the authors' layout, saved as DataParallel would (module. prefix)."""
    torch.manual_seed(3)
    model = build_aasist(RELEASES["aasist_l"]["model"])
    with torch.no_grad():     # non-trivial BatchNorm statistics
        model({"wav": 0.1 * torch.randn(2, 20000)})
    model.eval()
    path = tmp_path_factory.mktemp("w") / "AASIST-L-mine.pth"
    torch.save({f"module.{k}": v for k, v in model.state_dict().items()}, path)
    return model, path


def test_import_recognises_the_architecture_and_records_provenance(release_like, tmp_path, capsys):
    source, weights = release_like
    exp = tmp_path / "exp"
    assert import_main(["--weights", str(weights), "--exp", str(exp)]) == 0
    assert "release 'aasist_l' (sha256 differs from the release)" in capsys.readouterr().err
    cfg = yaml.safe_load((exp / "config.yaml").read_text())
    prov = cfg["pretrained"]
    assert prov["release"] == "aasist_l" and prov["source"] == str(weights.resolve())
    assert len(prov["sha256"]) == 64 and prov["sha256_matches_release"] is False
    assert cfg["infer"] == {"mode": "official_crop", "crop_samples": 64600, "score": "bonafide_logit"}
    assert not (exp / "threshold.json").exists()
    model, _ = load_exp_model(exp)
    wav = 0.1 * torch.randn(1, 64600)
    with torch.no_grad():
        torch.testing.assert_close(model({"wav": wav}), source({"wav": wav}), rtol=0, atol=0)
    # finished work is skipped; --force redoes it
    assert import_main(["--weights", str(weights), "--exp", str(exp)]) == 0
    assert "nothing to do" in capsys.readouterr().err
    assert import_main(["--weights", str(weights), "--exp", str(exp), "--force"]) == 0


def test_score_prints_raw_scores_with_a_note(release_like, tmp_path, capsys):
    _, weights = release_like
    exp = tmp_path / "exp"
    assert import_main(["--weights", str(weights), "--exp", str(exp)]) == 0
    wav = tmp_path / "a.wav"
    sf.write(wav, 0.1 * np.random.default_rng(0).standard_normal(30000), 16000)
    capsys.readouterr()
    assert score_main(["--exp", str(exp), str(wav), "--device", "cpu"]) == 0
    out, err = capsys.readouterr()
    name, score, decision = out.split()   # no decision without a threshold: '-'
    assert name == str(wav) and np.isfinite(float(score)) and decision == "-"
    assert "no decision threshold" in err and "--calibration" in err
    assert "official crop" in err


def test_wrong_weights_are_one_line_errors(release_like, tmp_path, capsys):
    source, _ = release_like
    state = dict(source.state_dict())
    state.pop("pos_S")
    state["extra.weight"] = torch.zeros(1)
    bad = tmp_path / "bad.pth"
    torch.save(state, bad)
    assert import_main(["--weights", str(bad), "--config", "aasist_l", "--exp", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.pth" in err and "'pos_S'" in err and "'extra.weight'" in err
    # the AASIST-L file declared as the full AASIST: a shape mismatch, named
    torch.save(source.state_dict(), bad)
    assert import_main(["--weights", str(bad), "--config", "aasist", "--exp", str(tmp_path / "y")]) == 1
    assert "shape" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y" / "best.pt").exists()


def test_pickled_objects_need_trust(tmp_path, capsys):
    import argparse
    evil = tmp_path / "evil.pth"
    torch.save({"args": argparse.Namespace(lr=1.0)}, evil)   # any pickled object
    assert import_main(["--weights", str(evil), "--exp", str(tmp_path / "x")]) == 1
    assert "not a data-only checkpoint" in capsys.readouterr().err
    assert import_main(["--weights", str(tmp_path / "none.pth"), "--exp", str(tmp_path / "x")]) == 1
    assert "checkpoint not found" in capsys.readouterr().err
