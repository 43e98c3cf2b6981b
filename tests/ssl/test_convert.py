"""fairseq checkpoints → transformers: fairseq's own outputs reproduced to 1e-5, and guards."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.ssl import load
from spoofcm.ssl.convert import from_hf_state, hf_config, parse_conv_layers, rename
from spoofcm.ssl.presets import FAIRSEQ_DEFAULTS, preset

from helpers.ssl_helpers import GOLDEN_CKPTS, GOLDEN_INPUTS


@pytest.mark.parametrize("ckpt", GOLDEN_CKPTS)
def test_golden_outputs_match_fairseq(fairseq_golden, ckpt):
    model = load(fairseq_golden / f"{ckpt}.pt")
    for tag in GOLDEN_INPUTS:
        ref = {name: np.load(fairseq_golden / f"{ckpt}__{tag}__{name}.npy") for name in
               ("features", "layer0_input", "layer_results", "x", "features_only_x")}
        wave = torch.from_numpy(np.load(fairseq_golden / f"input_{tag}.npy"))
        with torch.no_grad():
            out = model(wave, output_hidden_states=True)
        num_layers = model.config.num_hidden_layers
        got = {"features": out.extract_features, "layer0_input": out.hidden_states[0],
               "x": out.last_hidden_state, "features_only_x": out.last_hidden_state}
        for name, value in got.items():
            np.testing.assert_allclose(value.numpy(), ref[name], atol=1e-5, rtol=1e-5,
                                       err_msg=f"{ckpt} {tag} {name}")
        assert ref["layer_results"].shape[0] == num_layers
        for i in range(num_layers - 1):
            np.testing.assert_allclose(out.hidden_states[i + 1].numpy(), ref["layer_results"][i],
                                       atol=1e-5, rtol=1e-5, err_msg=f"{ckpt} {tag} layer {i + 1}")
        _check_last_layer(model, out, ref, f"{ckpt} {tag}")


def _check_last_layer(model, out, ref, what):
    """fairseq's raw last layer: = x for post-LN models; for pre-LN, x = final LN of it."""
    import transformers

    last = ref["layer_results"][-1]
    if not model.config.do_stable_layer_norm:
        np.testing.assert_allclose(out.hidden_states[-1].numpy(), last, atol=1e-5, rtol=1e-5)
        return
    with torch.no_grad():
        normed = model.encoder.layer_norm(torch.from_numpy(last))
    np.testing.assert_allclose(normed.numpy(), ref["x"], atol=1e-5, rtol=1e-5, err_msg=what)
    assert np.abs(last - ref["x"]).max() > 1e-2  # the final LN really changes it
    if int(transformers.__version__.split(".")[0]) >= 5:  # 5.x: hidden_states[L] is the raw layer
        np.testing.assert_allclose(out.hidden_states[-1].numpy(), last, atol=1e-5, rtol=1e-5)


def test_golden_normalize_flag(fairseq_golden):
    assert load(fairseq_golden / "xlsr_style.pt").config.spoofcm_normalize is True
    assert load(fairseq_golden / "base_style.pt").config.spoofcm_normalize is False
    assert load(fairseq_golden / "legacy_args_style.pt").config.spoofcm_normalize is True


def test_golden_config_matches_manifest(fairseq_golden):
    import json

    from spoofcm.ssl.fairseq_ckpt import read_fairseq

    manifest = json.loads((fairseq_golden / "manifest.json").read_text())
    for name, entry in manifest["checkpoints"].items():
        cfg = hf_config(read_fairseq(fairseq_golden / entry["checkpoint"]).cfg)
        for field, value in entry["hf_config_equivalent"].items():
            assert getattr(cfg, field) == value, (name, field)


def test_parse_conv_layers():
    assert parse_conv_layers("[(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512,2,2)] + [(512,2,2)]") == (
        [(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512, 2, 2)] * 2)
    with pytest.raises(SpoofcmError, match="conv_feature_layers"):
        parse_conv_layers("__import__('os').system('true')")
    with pytest.raises(SpoofcmError, match="triples"):
        parse_conv_layers("[(512, 10)]")


@pytest.mark.parametrize("field,value,match", [
    ("layer_type", "conformer", "conformer"), ("pos_conv_depth", 5, "stacked"),
    ("quantize_input", True, "quantized"), ("extractor_mode", "weird", "extractor_mode")])
def test_unsupported_configurations(field, value, match):
    cfg = dict(FAIRSEQ_DEFAULTS, **{field: value})
    with pytest.raises(SpoofcmError, match=match):
        hf_config(cfg)


@pytest.mark.parametrize("mode", ["layer_norm", "default"])
def test_rename_round_trip(mode):
    cfg = dict(preset("tiny")[0], extractor_mode=mode)
    from transformers import Wav2Vec2Model

    hf_state = Wav2Vec2Model(hf_config(cfg)).state_dict()
    fs_state = from_hf_state(hf_state, mode)
    assert "encoder.pos_conv.0.weight_g" in fs_state
    assert ("feature_extractor.conv_layers.3.2.1.weight" in fs_state) == (mode == "layer_norm")
    back = rename(list(fs_state), mode, to_hf=True)
    assert sorted(back.values()) == sorted(hf_state)


def test_unknown_key_is_an_error():
    with pytest.raises(SpoofcmError, match="encoder.adapter.weight"):
        rename(["encoder.adapter.weight"], "layer_norm")
