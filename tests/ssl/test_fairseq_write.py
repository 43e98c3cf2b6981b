"""The random tiny checkpoint is written in fairseq 0.12's real layout and loads back."""
from __future__ import annotations

import torch

from spoofcm.ssl.convert import to_hf_state
from spoofcm.ssl.fairseq_ckpt import read_fairseq
from spoofcm.ssl.fairseq_write import random_checkpoint


def test_layout_is_fairseq_0_12(tiny_ckpt):
    ckpt = torch.load(tiny_ckpt, weights_only=True)
    assert list(ckpt) == ["args", "cfg", "model", "criterion", "optimizer_history", "task_state",
                          "extra_state", "last_optimizer_state"]
    assert ckpt["args"] is None and type(ckpt["cfg"]) is dict
    assert ckpt["cfg"]["model"]["_name"] == "wav2vec2"
    assert ckpt["cfg"]["task"]["_name"] == "audio_pretraining" and ckpt["cfg"]["task"]["normalize"]
    keys = set(ckpt["model"])
    for key in ("mask_emb", "quantizer.vars", "quantizer.weight_proj.weight", "project_q.weight",
                "final_proj.weight", "post_extract_proj.weight", "layer_norm.weight",
                "encoder.pos_conv.0.weight_g", "encoder.pos_conv.0.weight_v",
                "feature_extractor.conv_layers.6.2.1.weight", "encoder.layers.2.fc1.weight",
                "encoder.layers.0.self_attn.q_proj.bias", "encoder.layer_norm.bias"):
        assert key in keys, key
    assert not any(k.startswith(("feature_projection", "masked_spec")) for k in keys)


def test_weights_load_unchanged(tiny_ckpt, tiny_model):
    fs = read_fairseq(tiny_ckpt)
    mapped = to_hf_state(fs.state, fs.cfg, tiny_model)
    own = tiny_model.state_dict()
    for k, v in mapped.items():
        assert torch.equal(own[k], v), k


def test_same_seed_same_weights():
    a, b = random_checkpoint("tiny", 5), random_checkpoint("tiny", 5)
    c = random_checkpoint("tiny", 6)
    w = "encoder.layers.0.fc1.weight"
    assert torch.equal(a["model"][w], b["model"][w]) and not torch.equal(a["model"][w], c["model"][w])


def test_xlsr_300m_preset_architecture():
    from transformers import Wav2Vec2Model

    from spoofcm.ssl.convert import hf_config
    from spoofcm.ssl.presets import preset

    cfg, normalize = preset("xlsr_300m")
    hf = hf_config(cfg)
    assert normalize and hf.do_stable_layer_norm and hf.feat_extract_norm == "layer"
    assert (hf.num_hidden_layers, hf.hidden_size, hf.num_attention_heads, hf.intermediate_size) == (
        24, 1024, 16, 4096)
    with torch.device("meta"):
        n = sum(p.numel() for p in Wav2Vec2Model(hf).parameters())
    assert 310e6 < n < 320e6  # XLS-R 300M: ~315M parameters without the quantizer


def test_unknown_preset():
    import pytest

    from spoofcm.errors import SpoofcmError
    from spoofcm.ssl.presets import preset

    with pytest.raises(SpoofcmError, match="xlsr_300m"):
        preset("xlsr_9000m")
