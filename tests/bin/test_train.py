"""spoofcm-train as users run it: CLI errors, local/launch_train.sh, and the real proposed model."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from helpers import tinycm  # noqa: E402

from spoofcm.bin.train import main as train_main  # noqa: E402

REPO = tinycm.REPO


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return tinycm.make_corpus(tmp_path_factory.mktemp("corpus"), n_train=8, n_dev=6)


def test_help_and_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        train_main(["--help"])
    assert exc.value.code == 0 and "--resume" in capsys.readouterr().out
    cfg = tinycm.write_config(tmp_path / "c.yaml", {"train": {"lr": 1e-3}})
    assert train_main(["--config", str(cfg), "--data-dir", str(tmp_path),
                       "--exp", str(tmp_path / "e")]) == 1
    assert "no model.name" in capsys.readouterr().err
    assert train_main(["--config", str(cfg), "--data-dir", str(tmp_path), "--exp", "e",
                       "--bogus"]) == 1
    assert "unknown argument" in capsys.readouterr().err


def test_launch_train_single_process_through_cuda_cmd(corpus, tmp_path):
    config = tinycm.write_config(tmp_path / "c.yaml", tinycm.base_config(max_epochs=1))
    env = tinycm.env_with_tests()
    env["PATH"] = f"{REPO / 'utils'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.pop("cuda_cmd", None)
    log = tmp_path / "exp" / "train.log"
    res = subprocess.run([str(REPO / "local" / "launch_train.sh"), "--ngpu", "0", "--log", str(log),
                          "--", *tinycm.train_cmd(corpus, tmp_path / "exp", config)[3:],
                          "--train.max_epochs", "1"],
                         env=env, capture_output=True, text=True, timeout=300)
    text = log.read_text() if log.exists() else ""
    assert res.returncode == 0, res.stderr + text
    assert "epoch 1/1 train_loss" in text and "world size 1" in text
    bad = subprocess.run([str(REPO / "local" / "launch_train.sh"), "--ngpu", "x", "--log", str(log)],
                         env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "integers" in bad.stderr


def test_proposed_model_trains_and_scores(corpus, tmp_path):
    """Integration: the real fusion_cbam_resnet18 (small widths) on cached SSL + log-mel."""
    pytest.importorskip("spoofcm.models.fusion")
    from spoofcm.bin.infer import main as infer_main
    exp = tmp_path / "fusion"
    over = tinycm.write_config(tmp_path / "o.yaml", {
        "model": {"d_model": 16, "n_heads": 2, "ffn_dim": 16, "resnet_width": 8},
        "ssl": {"checkpoint": "", "cache_dir": "ssl/tinytag"},
        "train": {"seed": 0, "lr": 1e-3, "batch_size": 4, "max_epochs": 1, "crop_seconds": 1.0,
                  "num_workers": 0, "select": "eer"}})
    assert train_main(["--config", str(REPO / "conf/model/fusion_cbam_resnet18.yaml"),
                       "--config", str(over), "--data-dir", str(corpus / "data"),
                       "--dump-dir", str(corpus / "dump"), "--exp", str(exp),
                       "--device", "cpu"]) == 0
    best = torch.load(exp / "best.pt", weights_only=True)
    assert best["config"]["model"]["name"] == "fusion_cbam_resnet18"
    assert best["config"]["ssl"]["dim"] == 8
    assert any("cbam" in k.lower() or "gate" in k.lower() for k in best["model"])
    out = tmp_path / "scores"
    assert infer_main(["--exp", str(exp), "--data", str(corpus / "data" / "dev"),
                       "--dump-dir", str(corpus / "dump"), "--out", str(out),
                       "--device", "cpu"]) == 0
    lines = (out / "score.1.txt").read_text().splitlines()
    assert len(lines) == 6


def test_print_config_shows_the_resolved_config(capsys):
    import yaml
    model = str(REPO / "conf" / "model" / "fusion_cbam_resnet18.yaml")
    assert train_main(["--config", str(REPO / "conf/train/default.yaml"), "--config", model,
                       "--train.lr", "1e-4", "--print-config"]) == 0
    cfg = yaml.safe_load(capsys.readouterr().out)
    assert cfg["train"]["lr"] == 1e-4 and cfg["train"]["batch_size"] == 14
    assert cfg["model"]["resnet_width"] == 64 and cfg["infer"]["mode"] == "full"


@pytest.mark.parametrize("words,match", [
    (["--train.max_epoch", "3"], "did you mean 'train.max_epochs'"),
    (["--train.lr", "abc"], "'train.lr': expected float"),
])
def test_bad_keys_fail_before_anything_is_written(corpus, tmp_path, capsys, words, match):
    config = tinycm.write_config(tmp_path / "c.yaml", tinycm.base_config(max_epochs=1))
    exp = tmp_path / "exp"
    assert train_main(["--config", str(config), "--data-dir", str(corpus / "data"),
                       "--dump-dir", str(corpus / "dump"), "--exp", str(exp), *words]) == 1
    assert match in capsys.readouterr().err and not exp.exists()


def test_experiment_of_another_configuration_is_never_reused(corpus, tmp_path, capsys):
    """Defect: stage 3 skipped any finished exp/<tag> whatever its configuration."""
    config = tinycm.write_config(tmp_path / "c.yaml", tinycm.base_config(max_epochs=1))
    exp = tmp_path / "exp"
    base = ["--config", str(config), "--data-dir", str(corpus / "data"),
            "--dump-dir", str(corpus / "dump"), "--exp", str(exp)]
    assert train_main([*base, "--check-config"]) == 0 and capsys.readouterr().out == "new\n"
    assert train_main(base) == 0
    capsys.readouterr()
    assert train_main([*base, "--check-config"]) == 0 and capsys.readouterr().out == "same\n"
    assert train_main([*base, "--train.num_workers", "0", "--check-config"]) == 0
    assert capsys.readouterr().out == "same\n"
    assert train_main([*base, "--train.max_epochs", "2", "--check-config"]) == 0
    assert capsys.readouterr().out == "extend\n"
    before = (exp / "best.pt").read_bytes()
    assert train_main([*base, "--train.lr", "0.5", "--resume"]) == 1
    err = capsys.readouterr().err
    assert "trained with another configuration (train.lr: 0.01 -> 0.5)" in err
    assert "--tag-suffix" in err and (exp / "best.pt").read_bytes() == before
