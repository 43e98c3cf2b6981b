"""Infer a wav2vec 2.0 config from weights alone (SSL-AASIST-style checkpoints carry no cfg).

SSL-AASIST saves its whole model's ``state_dict()`` (``ssl_model.model.*`` + the AASIST back
end), without fairseq's config. Most of the architecture follows from tensor shapes. Three
things do not, and we use the conventions every released wav2vec 2.0 / XLS-R model follows:
heads = embed_dim / 64; pre-LN transformer (``layer_norm_first``) and per-utterance input
normalisation exactly when the conv extractor uses layer norm (large / XLS-R vs base); strides
of the standard conv stack (kernel 10 → stride 5, else 2).
"""
from __future__ import annotations

import os
import re
from typing import Any, Mapping

import torch

from spoofcm.errors import SpoofcmError
from spoofcm.ssl.presets import FAIRSEQ_DEFAULTS

_STRIDE_OF_KERNEL = {10: 5, 3: 2, 2: 2}


def infer_config(state: Mapping[str, torch.Tensor], path: str | os.PathLike) -> tuple[dict[str, Any], bool]:
    """A fairseq model section (and ``normalize``) that fits ``state`` (prefix already removed)."""
    convs = sorted(int(m.group(1)) for k in state
                   if (m := re.fullmatch(r"feature_extractor\.conv_layers\.(\d+)\.0\.weight", k)))
    layers = {int(m.group(1)) for k in state
              if (m := re.fullmatch(r"encoder\.layers\.(\d+)\.fc1\.weight", k))}
    needed = ("post_extract_proj.weight", "encoder.pos_conv.0.weight_v", "encoder.layers.0.fc1.weight")
    if not convs or not layers or any(k not in state for k in needed):
        raise SpoofcmError(f"{path}: no fairseq config and the weights are not a complete "
                           "wav2vec 2.0 encoder; cannot infer the architecture")
    triples = []
    for i in convs:
        dim, _, kernel = state[f"feature_extractor.conv_layers.{i}.0.weight"].shape
        if kernel not in _STRIDE_OF_KERNEL:
            raise SpoofcmError(f"{path}: no fairseq config and conv layer {i} has kernel {kernel}, "
                               "not the standard wav2vec 2.0 stack; cannot infer its stride")
        triples.append(f"({dim}, {kernel}, {_STRIDE_OF_KERNEL[kernel]})")
    embed = state["post_extract_proj.weight"].shape[0]
    pos_v = state["encoder.pos_conv.0.weight_v"]
    layer_norm = "feature_extractor.conv_layers.0.2.1.weight" in state
    cfg = dict(FAIRSEQ_DEFAULTS)
    cfg.update(
        extractor_mode="layer_norm" if layer_norm else "default",
        conv_feature_layers="[" + ", ".join(triples) + "]",
        conv_bias="feature_extractor.conv_layers.0.0.bias" in state,
        encoder_embed_dim=embed, encoder_layers=max(layers) + 1,
        encoder_ffn_embed_dim=state["encoder.layers.0.fc1.weight"].shape[0],
        encoder_attention_heads=max(embed // 64, 1), layer_norm_first=layer_norm,
        conv_pos=pos_v.shape[-1], conv_pos_groups=embed // pos_v.shape[1],
        dropout=0.0, attention_dropout=0.0)
    return cfg, layer_norm
