"""Raw-waveform AASIST: published parameter counts, authors' key layout, short inputs,
frequency masking, and one training run through the ordinary trainer and dataset."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from helpers import tinycm  # noqa: E402

from spoofcm.config import load_config  # noqa: E402
from spoofcm.models.registry import build_model  # noqa: E402
from spoofcm.models.raw_aasist import AASIST, build_aasist  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MINI = {"name": "aasist", "first_conv": 32, "filts": [9, [1, 4], [4, 4], [4, 8], [8, 8]],
        "gat_dims": [8, 4]}


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("configs,count", [(["aasist.yaml"], 297_866),
                                           (["aasist_l.yaml"], 85_306),
                                           (["aasist.yaml", "aasist_l.yaml"], 85_306)])
def test_published_parameter_counts(configs, count):
    cfg = load_config([REPO / "conf" / "model" / c for c in configs])
    model = build_model(cfg)
    assert isinstance(model, AASIST) and model.inputs == ("wav",)
    assert n_params(model) == count
    keys = model.state_dict()
    assert "sinc" not in keys and "encoder.1.0.bn1.running_var" in keys
    assert "encoder.0.0.bn1.weight" not in keys          # the first block has no bn1
    assert model.pos_S.shape == (1, 23, cfg["model"]["filts"][-1][-1])


def test_forward_backward_and_short_input_tiling():
    torch.manual_seed(0)
    model = build_aasist(MINI)
    logits = model({"wav": torch.randn(3, 8000)})
    assert logits.shape == (3, 2)
    logits[:, 1].sum().backward()
    assert model.HtrgGAT_layer_ST22.att_weight12.grad.abs().sum() > 0
    assert model.encoder[0][0].conv1.weight.grad.abs().sum() > 0
    model.eval()
    short = torch.randn(1, 700)
    tiled = short.repeat(1, 4)[:, :model.min_samples()]
    with torch.no_grad():   # too short for the pools: tiled to the minimum, as the authors pad
        torch.testing.assert_close(model({"wav": short}), model({"wav": tiled}))


def test_freq_mask_only_while_training():
    torch.manual_seed(1)
    model = build_aasist({**MINI, "freq_mask": 5})
    model.train()
    masked = [int((model._filters().abs().sum(dim=(1, 2)) == 0).sum()) for _ in range(40)]
    assert max(masked) > 0 and max(masked) < 5
    model.eval()
    assert model._filters() is model.sinc
    assert build_aasist(MINI).freq_mask == 0


def test_bad_filts_is_a_clear_error():
    from spoofcm.errors import SpoofcmError
    with pytest.raises(SpoofcmError, match="filts"):
        build_aasist({"filts": [70, [2, 32], [32, 32], [32, 64], [64, 64]]})


def test_trains_through_the_trainer(tmp_path, capsys):
    corpus = tinycm.make_corpus(tmp_path / "corpus", n_train=8, n_dev=4)
    cfg = tinycm.base_config(max_epochs=1, lr=1e-3, batch_size=4)
    cfg["model"] = dict(MINI)
    cfg["ssl"] = {"cache": False}
    config = tinycm.write_config(tmp_path / "cfg.yaml", cfg)
    from spoofcm.bin.train import main as train_main
    assert train_main(["--config", str(config), "--data-dir", str(corpus / "data"),
                       "--exp", str(tmp_path / "exp"), "--device", "cpu"]) == 0
    assert "inputs ('wav',)" in capsys.readouterr().out
    assert (tmp_path / "exp" / "best.pt").is_file() and (tmp_path / "exp" / "threshold.json").is_file()


def test_single_precision_sinc_bank_is_the_float64_bank_rounded_the_authors_way():
    from spoofcm.models.rawnet2 import mel_sinc_filters
    f32 = mel_sinc_filters(70, 128, 16000, single_precision=True)
    f64 = mel_sinc_filters(70, 128, 16000)
    assert f32.shape == f64.shape == (70, 129) and f32.dtype == torch.float32
    torch.testing.assert_close(f32, f64, rtol=0, atol=1e-6)
    assert not torch.equal(f32, f64)        # the difference the parity tests depend on
