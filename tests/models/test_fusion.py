"""The proposed fusion model and its ablations: shapes, alignment, gradients, sizes, configs."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch

from spoofcm.config import load_config
from spoofcm.errors import SpoofcmError
from spoofcm.models.attention_fusion import AttentionFusion, sinusoidal_positions
from spoofcm.models.fusion import LayerWeightedSum, align_logmel
from spoofcm.models.registry import build_model

torch.set_num_threads(1)
REPO = Path(__file__).resolve().parents[2]
NAMES = ("fusion_cbam_resnet18", "fusion_resnet18", "ssl_cbam_resnet18")
#: the mini recipe's sizes (tiny SSL checkpoint: 64-d layers)
MINI = {"d_model": 32, "n_heads": 4, "ffn_dim": 64, "resnet_width": 16}
#: parameter counts reported in the README: full size (XLS-R 300M, D=1024) and mini (D=64)
PARAMS_FULL = {"fusion_cbam_resnet18": 11_525_594, "fusion_resnet18": 11_435_714,
               "ssl_cbam_resnet18": 11_525_210}
PARAMS_MINI = {"fusion_cbam_resnet18": 849_562, "fusion_resnet18": 842_354,
               "ssl_cbam_resnet18": 718_714}


def make(name: str, dim: int = 64, layers=(-1,), **model) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model({"model": {"name": name, **MINI, **model}, "ssl": {"dim": dim, "layers": list(layers)}})


def batch(b: int, t: int, dim: int = 64, mel: int | None = None, layers: int = 1) -> dict[str, torch.Tensor]:
    return {"ssl": torch.randn(b, t, layers * dim), "logmel": torch.randn(b, 2 * t if mel is None else mel, 128)}


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_align_logmel_trims_pads_and_refuses_gaps():
    x = torch.arange(2 * 9 * 3, dtype=torch.float32).view(2, 9, 3)
    torch.testing.assert_close(align_logmel(x, 4, 4), x[:, :8])
    padded = align_logmel(x, 5, 4)
    assert padded.shape == (2, 10, 3)
    torch.testing.assert_close(padded[:, 9], x[:, 8])
    with pytest.raises(SpoofcmError, match="not aligned"):
        align_logmel(x, 20, 4)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("t,mel", [(200, 400), (37, 73), (50, 101), (3, 6)])
def test_shapes_for_varied_lengths(name, t, mel):
    model = make(name)
    assert model(batch(2, t, mel=mel)).shape == (2, 2)


def test_inputs_attribute():
    assert make("fusion_cbam_resnet18").inputs == ("ssl", "logmel")
    assert make("fusion_resnet18").inputs == ("ssl", "logmel")
    assert make("ssl_cbam_resnet18").inputs == ("ssl",)


def test_cbam_only_where_named():
    def has_cbam(m):
        return any(type(x).__name__ == "CBAM" for x in m.modules())
    assert has_cbam(make("fusion_cbam_resnet18")) and has_cbam(make("ssl_cbam_resnet18"))
    assert not has_cbam(make("fusion_resnet18"))


@pytest.mark.parametrize("name", ["fusion_cbam_resnet18", "fusion_resnet18"])
def test_gradients_reach_both_streams_and_all_parameters(name):
    model = make(name)
    b = batch(2, 40)
    b["ssl"].requires_grad_(True)
    b["logmel"].requires_grad_(True)
    model(b).sum().backward()
    assert float(b["ssl"].grad.abs().sum()) > 0 and float(b["logmel"].grad.abs().sum()) > 0
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert not missing, missing


def test_attention_mixes_streams_and_concat_does_not():
    """Joint attention: changing one SSL frame changes the attended log-mel tokens."""
    torch.manual_seed(0)
    fusion = AttentionFusion(16, 4, n_streams=2, ffn_dim=32).eval()
    a, m = torch.randn(1, 10, 16), torch.randn(1, 10, 16)
    a2 = a.clone()
    a2[0, 3] += 1.0
    out, out2 = fusion([a, m]), fusion([a2, m])
    assert out.shape == (1, 2, 10, 16)
    assert not torch.allclose(out[:, 1], out2[:, 1])  # log-mel tokens saw the SSL change
    model = make("fusion_cbam_resnet18", fusion="concat")
    assert model.fusion is None and model(batch(2, 20)).shape == (2, 2)


def test_positions_shared_across_streams():
    """Identical streams with equal stream embeddings give identical outputs per stream: the
    only difference between streams is the modality embedding, never the position."""
    torch.manual_seed(0)
    fusion = AttentionFusion(8, 2, n_streams=2).eval()
    with torch.no_grad():
        fusion.stream_embed.zero_()
    x = torch.randn(1, 6, 8)
    out = fusion([x, x])
    torch.testing.assert_close(out[:, 0], out[:, 1])
    pe = sinusoidal_positions(5, 8)
    torch.testing.assert_close(pe[0], torch.tensor([0.0, 1.0] * 4))
    assert pe.shape == (5, 8)


def test_layer_weighted_sum():
    x = torch.randn(2, 5, 3, 4)
    lws = LayerWeightedSum(3)
    torch.testing.assert_close(lws(x), x.mean(dim=2))  # equal weights at start
    assert sum(p.numel() for p in LayerWeightedSum(1).parameters()) == 0
    model = make("fusion_cbam_resnet18", layers=(6, 12))
    assert model(batch(2, 30, layers=2)).shape == (2, 2)


def test_batch_independent_in_eval():
    """Scoring one utterance alone gives the same logits as inside a batch."""
    model = make("fusion_cbam_resnet18").eval()
    b = batch(3, 25)
    with torch.no_grad():
        full = model(b)
        one = model({k: v[1:2] for k, v in b.items()})
    torch.testing.assert_close(one, full[1:2], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_parameter_counts_full_size_from_yaml(name):
    cfg = load_config([REPO / "conf" / "model" / f"{name}.yaml"], ["--ssl.dim", "1024"])
    assert cfg["model"]["name"] == name and cfg["ssl"]["freeze"] is True
    model = build_model(cfg)
    assert n_params(model) == PARAMS_FULL[name]
    assert model(batch(1, 50, dim=1024)).shape == (1, 2)


@pytest.mark.parametrize("name", NAMES)
def test_parameter_counts_mini(name):
    """The mini recipe's sizes (egs/mini/conf/model) over the full-size YAML, tiny SSL width 64."""
    cfg = load_config([REPO / "conf" / "model" / f"{name}.yaml",
                       REPO / "egs" / "mini" / "conf" / "model" / f"{name}.yaml"], ["--ssl.dim", "64"])
    assert n_params(build_model(cfg)) == PARAMS_MINI[name]


def test_config_errors():
    good = {"model": {"name": "fusion_cbam_resnet18"}, "ssl": {"dim": 64}}
    for path, value, match in [
        (("model", "d_modle"), 8, "unknown key"),
        (("model", "cbam"), False, "by definition"),
        (("model", "ssl_dim"), 32, "disagrees"),
        (("model", "fusion"), "sum", "attention' or 'concat"),
        (("model", "n_heads"), 5, "divisible"),
        (("ssl", "layers"), [], "no layer given"),
    ]:
        cfg = copy.deepcopy(good)
        cfg[path[0]][path[1]] = value
        with pytest.raises(SpoofcmError, match=match):
            build_model(cfg)
    with pytest.raises(SpoofcmError, match="ssl.dim is not set"):
        build_model({"model": {"name": "fusion_resnet18"}, "ssl": {}})
    assert make("fusion_resnet18", dim=48, ssl_dim=48).ssl_dim == 48


def test_forward_refuses_wrong_feature_width():
    model = make("fusion_cbam_resnet18")
    with pytest.raises(SpoofcmError, match="width 128"):
        model(batch(2, 10, dim=128))
    with pytest.raises(SpoofcmError, match="bins"):
        model({"ssl": torch.randn(2, 10, 64), "logmel": torch.randn(2, 20, 80)})


def test_bf16_autocast_forward():
    model = make("fusion_cbam_resnet18")
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert model(batch(2, 20)).shape == (2, 2)


def test_fine_tune_front_end_from_waveform(tmp_path):
    """ssl.freeze: false puts the (tiny fairseq-format) encoder inside as ``ssl``; the model then
    reads ``wav`` and gradients reach the encoder."""
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    ckpt = tmp_path / "tiny.pt"
    write_random_checkpoint(ckpt, "tiny", seed=0)
    cfg = {"model": {"name": "fusion_cbam_resnet18", **MINI},
           "ssl": {"checkpoint": str(ckpt), "layers": [-1, 1], "freeze": False}}
    model = build_model(cfg)
    assert model.inputs == ("wav", "logmel") and model.ssl_dim == 64 and model.n_ssl_layers == 2
    units = 25  # a 0.5 s crop: 25 x 320 samples, 50 log-mel frames
    out = model({"wav": torch.randn(2, 320 * units), "logmel": torch.randn(2, 2 * units, 128)})
    out.sum().backward()
    assert out.shape == (2, 2)
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in model.ssl.parameters())


def test_fusion_at_log_mel_rate_with_unprojected_bins():
    """d_model 128: the log-mel stream reaches the back end unprojected, one column per 10 ms
    frame, and SSL frame i fills columns 2i and 2i+1 (concat fusion exposes the raw map)."""
    model = make("fusion_resnet18", d_model=128, fusion="concat").eval()
    assert isinstance(model.mel_proj, torch.nn.Identity)
    seen = {}
    model.backbone.register_forward_hook(lambda m, inp, out: seen.update(image=inp[0]))
    b = batch(2, 6)
    with torch.no_grad():
        model(b)
        image = seen["image"]
        assert image.shape == (2, 1, 256, 12)
        bn = model.mel_norm
        mel = (b["logmel"] - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
        torch.testing.assert_close(image[:, 0, 128:, :], mel.transpose(1, 2))
        ssl = model.ssl_proj(b["ssl"])
        torch.testing.assert_close(image[:, 0, :128, 4], ssl[:, 2])
        torch.testing.assert_close(image[:, 0, :128, 5], ssl[:, 2])


def test_log_mel_projection_when_narrower():
    model = make("fusion_cbam_resnet18", d_model=32)
    assert isinstance(model.mel_proj, torch.nn.Linear) and model.mel_proj.in_features == 128
