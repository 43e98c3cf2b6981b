"""fairseq wav2vec 2.0 model configurations: the defaults old checkpoints lack, and presets.

``FAIRSEQ_DEFAULTS`` holds fairseq 0.12's ``Wav2Vec2Config`` defaults for every field the
loader reads. A 2020-era ``args`` Namespace lacks fields added later (``pos_conv_depth``,
``layer_type``, ...), and fairseq itself fills them from these defaults, so we do the same.

Presets are complete fairseq model sections (``cfg['model']``), so ``spoofcm-make-tiny-ssl``
writes checkpoints that go through exactly the loader a released ``xlsr2_300m.pt`` goes through.
"""
from __future__ import annotations

from typing import Any

from spoofcm.errors import SpoofcmError

#: the standard wav2vec 2.0 conv stack: 320-sample hop, 400-sample receptive field (50 fps)
STANDARD_CONV = "[(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512,2,2)] + [(512,2,2)]"

FAIRSEQ_DEFAULTS: dict[str, Any] = {
    "_name": "wav2vec2",
    "extractor_mode": "default",
    "encoder_layers": 12,
    "encoder_embed_dim": 768,
    "encoder_ffn_embed_dim": 3072,
    "encoder_attention_heads": 12,
    "activation_fn": "gelu",
    "layer_type": "transformer",
    "dropout": 0.1,
    "attention_dropout": 0.1,
    "activation_dropout": 0.0,
    "encoder_layerdrop": 0.0,
    "dropout_input": 0.0,
    "dropout_features": 0.0,
    "final_dim": 0,
    "layer_norm_first": False,
    "conv_feature_layers": STANDARD_CONV,
    "conv_bias": False,
    "logit_temp": 0.1,
    "quantize_targets": False,
    "quantize_input": False,
    "same_quantizer": False,
    "target_glu": False,
    "feature_grad_mult": 1.0,
    "quantizer_depth": 1,
    "quantizer_factor": 3,
    "latent_vars": 320,
    "latent_groups": 2,
    "latent_dim": 0,
    "mask_length": 10,
    "mask_prob": 0.65,
    "mask_selection": "static",
    "mask_other": 0.0,
    "no_mask_overlap": False,
    "mask_min_space": 1,
    "mask_channel_length": 10,
    "mask_channel_prob": 0.0,
    "mask_channel_before": False,
    "mask_channel_selection": "static",
    "mask_channel_other": 0.0,
    "no_mask_channel_overlap": False,
    "mask_channel_min_space": 1,
    "num_negatives": 100,
    "negatives_from_everywhere": False,
    "cross_sample_negatives": 0,
    "codebook_negatives": 0,
    "conv_pos": 128,
    "conv_pos_groups": 16,
    "pos_conv_depth": 1,
    "latent_temp": [2.0, 0.5, 0.999995],
    "max_positions": 100000,
    "checkpoint_activations": False,
    "required_seq_len_multiple": 2,
    "crop_seq_to_multiple": 1,
    "depthwise_conv_kernel_size": 31,
    "attn_type": "",
    "pos_enc_type": "abs",
    "fp16": False,
}


def _preset(**changes: Any) -> dict[str, Any]:
    cfg = dict(FAIRSEQ_DEFAULTS)
    unknown = set(changes) - set(cfg) - {"normalize"}
    assert not unknown, unknown  # a typo in a preset is a programming error
    cfg.update(changes)
    return cfg


#: preset name -> (fairseq model section, task.normalize)
PRESETS: dict[str, tuple[dict[str, Any], bool]] = {
    # wav2vec 2.0 XLS-R 300M (xlsr2_300m.pt): the recipe of wav2vec2_large_librivox.yaml
    "xlsr_300m": (_preset(
        extractor_mode="layer_norm", encoder_layers=24, encoder_embed_dim=1024,
        encoder_ffn_embed_dim=4096, encoder_attention_heads=16, layer_norm_first=True,
        conv_bias=True, conv_feature_layers=STANDARD_CONV, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0, encoder_layerdrop=0.0, dropout_input=0.0, dropout_features=0.0,
        final_dim=768, quantize_targets=True, latent_vars=320, latent_groups=2,
        feature_grad_mult=1.0, latent_temp=[2.0, 0.1, 0.999995]), True),
    # small enough for CPU tests and the mini recipe; same hop (320) and layout as XLS-R
    "tiny": (_preset(
        extractor_mode="layer_norm", encoder_layers=3, encoder_embed_dim=64,
        encoder_ffn_embed_dim=128, encoder_attention_heads=2, layer_norm_first=True,
        conv_bias=True,
        conv_feature_layers="[(64, 10, 5)] + [(64, 3, 2)] * 4 + [(64,2,2)] + [(64,2,2)]",
        conv_pos=16, conv_pos_groups=4, dropout=0.0, attention_dropout=0.0,
        encoder_layerdrop=0.0, final_dim=32, quantize_targets=True, latent_vars=16,
        latent_groups=2, latent_temp=[2.0, 0.1, 0.999995]), True),
}


def preset(name: str) -> tuple[dict[str, Any], bool]:
    """A copy of a preset's fairseq model section and its ``task.normalize`` flag."""
    if name not in PRESETS:
        raise SpoofcmError(f"unknown SSL preset '{name}'; choose one of: {', '.join(PRESETS)}")
    cfg, normalize = PRESETS[name]
    return dict(cfg), normalize
