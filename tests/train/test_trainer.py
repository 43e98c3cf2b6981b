"""The training loop in one process: outputs, selection, averaging, early stopping, GMM path."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch
import yaml

from helpers import tinycm  # noqa: E402

from spoofcm.bin.train import main as train_main  # noqa: E402
from spoofcm.train import checkpoint as ckpt  # noqa: E402
from spoofcm.train.trainer import ranked_epochs, stop_early  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return tinycm.make_corpus(tmp_path_factory.mktemp("corpus"))


def run(corpus: Path, exp: Path, cfg: dict, *extra: str) -> int:
    config = tinycm.write_config(exp.parent / f"{exp.name}.yaml", cfg)
    return train_main(["--config", str(config), "--data-dir", str(corpus / "data"),
                       "--dump-dir", str(corpus / "dump"), "--exp", str(exp), "--device", "cpu",
                       *extra])


def h(epoch, eer, loss):
    return {"epoch": epoch, "dev_eer": eer, "dev_loss": loss}


def test_selection_and_patience():
    hist = [h(1, 0.2, 0.5), h(2, 0.1, 0.9), h(3, 0.1, 0.4), h(4, 0.3, 0.1)]
    assert ranked_epochs(hist, "eer") == [3, 2, 1, 4]
    assert ranked_epochs(hist, "loss") == [4, 3, 1, 2]
    assert stop_early(hist, "eer", 1) and not stop_early(hist, "eer", 2)
    assert not stop_early(hist, "loss", 1) and not stop_early(hist, "eer", None)


def test_training_writes_the_experiment(corpus, tmp_path, capsys):
    exp = tmp_path / "exp"
    assert run(corpus, exp, tinycm.base_config(max_epochs=3, average_best=2)) == 0
    out = capsys.readouterr().out
    assert "epoch 3/3 train_loss" in out and "dev_eer" in out and "time" in out
    for name in ("config.yaml", "env.txt", "latest.pt", "best.pt", "best_single.pt",
                 "threshold.json", "checkpoints/epoch1.pt", "checkpoints/epoch3.pt"):
        assert (exp / name).is_file(), name
    cfg = yaml.safe_load((exp / "config.yaml").read_text())
    assert cfg["ssl"]["dim"] == 8  # read from the cache's dim file
    assert "command: spoofcm-train --config" in (exp / "env.txt").read_text()
    latest = torch.load(exp / "latest.pt", weights_only=True)
    assert latest["epoch"] == 3 and latest["finished"] and len(latest["history"]) == 3
    assert latest["history"][-1]["dev_loss"] < latest["history"][0]["dev_loss"]
    best = torch.load(exp / "best.pt", weights_only=True)
    two = ranked_epochs(latest["history"], "eer")[:2]
    assert best["averaged_epochs"] == two
    states = [ckpt.load(ckpt.epoch_path(exp, e))["model"] for e in two]
    expected = ckpt.average_states(states)
    for k, v in expected.items():
        assert torch.allclose(best["model"][k], v)
    single = torch.load(exp / "best_single.pt", weights_only=True)
    assert single["averaged_epochs"] == [two[0]]
    thr = json.loads((exp / "threshold.json").read_text())
    assert thr["source"] == "dev_eer" and thr["epoch"] == two
    # a finished run resumed does nothing
    assert run(corpus, exp, tinycm.base_config(max_epochs=3, average_best=2), "--resume") == 0
    assert "already finished" in capsys.readouterr().out
    # raising max_epochs continues the finished run from its last epoch
    assert run(corpus, exp, tinycm.base_config(max_epochs=4, average_best=2), "--resume") == 0
    assert "epoch 4/4" in capsys.readouterr().out
    assert torch.load(exp / "latest.pt", weights_only=True)["epoch"] == 4


def test_early_stopping_and_loss_selection(corpus, tmp_path, capsys):
    exp = tmp_path / "exp"
    cfg = tinycm.base_config(max_epochs=5, lr=0.0, patience=2, select="loss")
    assert run(corpus, exp, cfg) == 0
    assert "early stop" in capsys.readouterr().out
    hist = torch.load(exp / "latest.pt", weights_only=True)["history"]
    assert [e["epoch"] for e in hist] == [1, 2, 3]  # nothing improves after epoch 1


def test_bad_settings_are_one_line_errors(corpus, tmp_path, capsys):
    assert run(corpus, tmp_path / "a", tinycm.base_config(class_weights=[1.0])) == 1
    assert "class_weights" in capsys.readouterr().err
    assert run(corpus, tmp_path / "b", tinycm.base_config(select="acc")) == 1
    assert "train.select" in capsys.readouterr().err


def test_class_weights_change_training(corpus, tmp_path):
    run(corpus, tmp_path / "a", tinycm.base_config(max_epochs=1), "--deterministic")
    assert torch.are_deterministic_algorithms_enabled()
    run(corpus, tmp_path / "a2", tinycm.base_config(max_epochs=1))
    assert not torch.are_deterministic_algorithms_enabled()
    a2 = torch.load(tmp_path / "a2" / "latest.pt", weights_only=True)["model"]
    run(corpus, tmp_path / "b", tinycm.base_config(max_epochs=1, class_weights=[1.0, 5.0]))
    a = torch.load(tmp_path / "a" / "latest.pt", weights_only=True)["model"]
    b = torch.load(tmp_path / "b" / "latest.pt", weights_only=True)["model"]
    assert not torch.equal(a["out.bias"], b["out.bias"])
    assert all(torch.equal(a[k], a2[k]) for k in a)  # same seed, same result


def test_non_neural_model_fits_once(corpus, tmp_path):
    pytest.importorskip("spoofcm.audio.io")
    exp = tmp_path / "gmm"
    cfg = tinycm.base_config()
    cfg["model"] = {"name": "helpers.tinycm:build_gmm"}
    assert run(corpus, exp, cfg) == 0
    best = torch.load(exp / "best.pt", weights_only=True)
    assert best["model"]["params"].shape == (4,)
    assert json.loads((exp / "threshold.json").read_text())["dev_eer"] < 0.5
