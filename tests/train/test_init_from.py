"""train.init_from: a run starts from another experiment's best.pt (fit-checked)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from helpers import tinycm  # noqa: E402

from spoofcm.bin.train import main as train_main  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return tinycm.make_corpus(tmp_path_factory.mktemp("corpus"), n_train=8, n_dev=4)


def run(corpus: Path, exp: Path, cfg: dict) -> int:
    config = tinycm.write_config(exp.parent / f"{exp.name}.yaml", cfg)
    return train_main(["--config", str(config), "--data-dir", str(corpus / "data"),
                       "--dump-dir", str(corpus / "dump"), "--exp", str(exp), "--device", "cpu"])


def weights(exp: Path) -> dict[str, torch.Tensor]:
    return torch.load(exp / "best.pt", weights_only=True)["model"]


def test_fine_tuning_starts_from_the_source_weights(corpus, tmp_path, capsys):
    source = tmp_path / "source"
    assert run(corpus, source, tinycm.base_config(max_epochs=1, seed=1)) == 0
    # lr 0: training cannot move the weights, so the result is exactly the initialisation
    frozen = tmp_path / "frozen"
    assert run(corpus, frozen, tinycm.base_config(max_epochs=1, lr=0.0, seed=2,
                                                 init_from=str(source))) == 0
    assert f"initialised from {source / 'best.pt'}" in capsys.readouterr().out
    src, got = weights(source), weights(frozen)
    assert all(torch.equal(src[k], got[k]) for k in src)
    # without init_from the same seed-2 run starts elsewhere
    scratch = tmp_path / "scratch"
    assert run(corpus, scratch, tinycm.base_config(max_epochs=1, lr=0.0, seed=2)) == 0
    assert not all(torch.equal(src[k], weights(scratch)[k]) for k in src)


def test_mismatched_or_missing_source_is_one_line_error(corpus, tmp_path, capsys):
    source = tmp_path / "source"
    assert run(corpus, source, tinycm.base_config(max_epochs=1)) == 0
    capsys.readouterr()
    other = tinycm.base_config(max_epochs=1, init_from=str(source))
    other["model"]["inputs"] = ["logmel"]          # no 'proj.ssl' layer: the weights do not fit
    assert run(corpus, tmp_path / "bad", other) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "init_from" in err and "proj.ssl" in err
    assert run(corpus, tmp_path / "bad2",
               tinycm.base_config(max_epochs=1, init_from=str(tmp_path / "nowhere"))) == 1
    assert "nowhere not found" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert run(corpus, tmp_path / "bad3",
               tinycm.base_config(max_epochs=1, init_from=str(tmp_path / "empty"))) == 1
    assert "empty/best.pt not found" in capsys.readouterr().err


@pytest.mark.slow   # one epoch of the full-size AASIST-L on CPU (~20 s on two busy cores)
def test_fine_tune_an_imported_aasist_l(corpus, tmp_path):
    """An AASIST-L release (here random weights in the authors' layout), imported, then trained
    from with conf/model/aasist_l.yaml: lr 0 keeps exactly the imported weights."""
    from spoofcm.bin.import_aasist import main as import_main
    from spoofcm.config import load_config
    from spoofcm.models.raw_aasist import build_aasist

    repo = Path(__file__).resolve().parents[2]
    model_cfg = load_config([repo / "conf" / "model" / "aasist_l.yaml"])
    torch.manual_seed(7)
    release = build_aasist(model_cfg["model"])
    torch.save(release.state_dict(), tmp_path / "AASIST-L.pth")
    assert import_main(["--weights", str(tmp_path / "AASIST-L.pth"), "--config", "aasist_l",
                        "--exp", str(tmp_path / "pretrained")]) == 0
    cfg = {**model_cfg, "train": {**model_cfg["train"], "seed": 3, "lr": 0.0, "weight_decay": 0.0,
                                  "batch_size": 4, "max_epochs": 1, "crop_seconds": 1.0,
                                  "num_workers": 0, "scheduler": "none",
                                  "init_from": str(tmp_path / "pretrained")}}
    assert run(corpus, tmp_path / "ft", cfg) == 0
    src, got = release.state_dict(), weights(tmp_path / "ft")
    assert all(torch.equal(src[k], got[k]) for k in src if "running" not in k and "num_batches" not in k)
