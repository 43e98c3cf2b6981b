"""Map a fairseq wav2vec 2.0 model (config + weights) onto transformers' ``Wav2Vec2Model``.

The mapping is a table of (fairseq name, HF name) patterns used in both directions: fairseq →
HF to load checkpoints, HF → fairseq to write the tiny test checkpoint in fairseq's own layout.
Configurations HF's ``Wav2Vec2Model`` cannot express (conformer layers, stacked pos-conv,
quantized inputs) fail with a clear message instead of loading a wrong network.
"""
from __future__ import annotations

import ast
import os
import re
from typing import Any, Mapping

import torch
from transformers import Wav2Vec2Config, Wav2Vec2Model

from spoofcm.errors import SpoofcmError
from spoofcm.statedict import check_fits

# {i}: a layer index; {p}: a parameter name. Conv-extractor norms depend on the extractor mode.
_COMMON = [
    ("feature_extractor.conv_layers.{i}.0.{p}", "feature_extractor.conv_layers.{i}.conv.{p}"),
    ("layer_norm.{p}", "feature_projection.layer_norm.{p}"),
    ("post_extract_proj.{p}", "feature_projection.projection.{p}"),
    ("mask_emb", "masked_spec_embed"),
    ("encoder.pos_conv.0.weight_g", "encoder.pos_conv_embed.conv.parametrizations.weight.original0"),
    ("encoder.pos_conv.0.weight_v", "encoder.pos_conv_embed.conv.parametrizations.weight.original1"),
    ("encoder.pos_conv.0.bias", "encoder.pos_conv_embed.conv.bias"),
    ("encoder.layer_norm.{p}", "encoder.layer_norm.{p}"),
    ("encoder.layers.{i}.self_attn.{p}", "encoder.layers.{i}.attention.{p}"),
    ("encoder.layers.{i}.self_attn_layer_norm.{p}", "encoder.layers.{i}.layer_norm.{p}"),
    ("encoder.layers.{i}.fc1.{p}", "encoder.layers.{i}.feed_forward.intermediate_dense.{p}"),
    ("encoder.layers.{i}.fc2.{p}", "encoder.layers.{i}.feed_forward.output_dense.{p}"),
    ("encoder.layers.{i}.final_layer_norm.{p}", "encoder.layers.{i}.final_layer_norm.{p}"),
]
_LAYER_NORM_EXTRACTOR = [("feature_extractor.conv_layers.{i}.2.1.{p}",
                          "feature_extractor.conv_layers.{i}.layer_norm.{p}")]
_GROUP_NORM_EXTRACTOR = [("feature_extractor.conv_layers.0.2.{p}",
                          "feature_extractor.conv_layers.0.layer_norm.{p}")]
#: fairseq pretraining-only modules; Wav2Vec2Model has no place for them
PRETRAINING_ONLY = ("quantizer.", "project_q.", "final_proj.", "project_inp.", "target_glu.")
#: the legacy (torch.nn.utils.weight_norm) names some transformers versions use for pos_conv
_LEGACY_WEIGHT_NORM = {"parametrizations.weight.original0": "weight_g",
                       "parametrizations.weight.original1": "weight_v"}


def _compile(pattern: str) -> re.Pattern[str]:
    rx = re.escape(pattern).replace(r"\{i\}", r"(?P<i>\d+)").replace(r"\{p\}", r"(?P<p>[\w.]+)")
    return re.compile(rx + "$")


def _rules(extractor_mode: str) -> list[tuple[str, str]]:
    norm = _LAYER_NORM_EXTRACTOR if extractor_mode == "layer_norm" else _GROUP_NORM_EXTRACTOR
    return norm + _COMMON  # extractor norms first: '.2.1.' must not match the '.0.' rule


def rename(keys: list[str], extractor_mode: str, to_hf: bool = True) -> dict[str, str]:
    """Map each key to the other naming; unknown keys raise (nothing is dropped silently)."""
    pairs = [(_compile(a if to_hf else b), b if to_hf else a) for a, b in _rules(extractor_mode)]
    out: dict[str, str] = {}
    for key in keys:
        for rx, template in pairs:
            m = rx.match(key)
            if m:
                out[key] = template.format(**m.groupdict())
                break
        else:
            raise SpoofcmError(f"unexpected wav2vec 2.0 parameter '{key}' (not in the "
                               f"{'fairseq' if to_hf else 'transformers'} layout)")
    return out


def _eval_layers(node: ast.AST) -> Any:
    """Evaluate fairseq's ``conv_feature_layers`` (lists/tuples of ints with + and *) safely."""
    if isinstance(node, ast.Expression):
        return _eval_layers(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_eval_layers(e) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
        left, right = _eval_layers(node.left), _eval_layers(node.right)
        return left + right if isinstance(node.op, ast.Add) else left * right
    raise ValueError(f"unsupported syntax {type(node).__name__}")


def parse_conv_layers(spec: str | list) -> list[tuple[int, int, int]]:
    """fairseq's ``"[(512, 10, 5)] + [(512, 3, 2)] * 4 + ..."`` → [(dim, kernel, stride), ...]."""
    try:
        value = _eval_layers(ast.parse(spec, mode="eval")) if isinstance(spec, str) else spec
        layers = [tuple(int(v) for v in t) for t in value]
    except (SyntaxError, ValueError, TypeError) as exc:
        raise SpoofcmError(f"bad conv_feature_layers '{spec}': {exc}") from None
    if not layers or any(len(t) != 3 for t in layers):
        raise SpoofcmError(f"bad conv_feature_layers '{spec}': expected (dim, kernel, stride) triples")
    return layers  # type: ignore[return-value]


def hf_config(fs: Mapping[str, Any]) -> Wav2Vec2Config:
    """The transformers config equivalent to a fairseq wav2vec2 model section."""
    unsupported = {
        "layer_type": (fs["layer_type"] == "transformer", "conformer wav2vec 2.0 is not supported"),
        "pos_conv_depth": (int(fs["pos_conv_depth"]) == 1, "stacked positional convolutions "
                           "(data2vec style) are not supported"),
        "quantize_input": (not fs["quantize_input"], "quantized-input models are not supported"),
        "crop_seq_to_multiple": (int(fs["crop_seq_to_multiple"]) == 1, "must be 1"),
        "extractor_mode": (fs["extractor_mode"] in ("default", "layer_norm"), "unknown mode"),
        "activation_fn": (fs["activation_fn"] in ("gelu", "relu", "tanh", "linear"), "unknown"),
    }
    for field, (ok, why) in unsupported.items():
        if not ok:
            raise SpoofcmError(f"unsupported wav2vec 2.0 configuration {field}={fs[field]!r}: {why}")
    conv = parse_conv_layers(fs["conv_feature_layers"])
    return Wav2Vec2Config(
        feat_extract_norm="layer" if fs["extractor_mode"] == "layer_norm" else "group",
        do_stable_layer_norm=bool(fs["layer_norm_first"]),
        conv_bias=bool(fs["conv_bias"]),
        conv_dim=[c[0] for c in conv], conv_kernel=[c[1] for c in conv],
        conv_stride=[c[2] for c in conv], num_feat_extract_layers=len(conv),
        hidden_size=int(fs["encoder_embed_dim"]), num_hidden_layers=int(fs["encoder_layers"]),
        num_attention_heads=int(fs["encoder_attention_heads"]),
        intermediate_size=int(fs["encoder_ffn_embed_dim"]),
        hidden_act=fs["activation_fn"], feat_extract_activation="gelu",
        num_conv_pos_embeddings=int(fs["conv_pos"]),
        num_conv_pos_embedding_groups=int(fs["conv_pos_groups"]), layer_norm_eps=1e-5,
        # dropouts matter only when fine-tuning (model.train()); fairseq's names → HF's
        hidden_dropout=float(fs["dropout"]), attention_dropout=float(fs["attention_dropout"]),
        activation_dropout=float(fs["activation_dropout"]), feat_proj_dropout=float(fs["dropout_input"]),
        layerdrop=float(fs["encoder_layerdrop"]), final_dropout=0.0,
        # SSL-AASIST fine-tunes with mask=False; keep mask_time_prob > 0 so mask_emb has a home
        apply_spec_augment=False, mask_time_prob=0.05,
    )


def _hf_pos_conv_names(model: Wav2Vec2Model, keys: dict[str, str]) -> dict[str, str]:
    """Use the legacy weight_g/weight_v names if this transformers build has them."""
    if "encoder.pos_conv_embed.conv.weight_g" not in model.state_dict():
        return keys
    out = {}
    for fs_key, hf_key in keys.items():
        for new, old in _LEGACY_WEIGHT_NORM.items():
            hf_key = hf_key.replace(new, old)
        out[fs_key] = hf_key
    return out


def to_hf_state(fs_state: Mapping[str, torch.Tensor], fs_cfg: Mapping[str, Any],
                model: Wav2Vec2Model) -> dict[str, torch.Tensor]:
    """fairseq encoder tensors renamed for ``model`` (pretraining-only tensors left out)."""
    keys = [k for k in fs_state if not k.startswith(PRETRAINING_ONLY)]
    names = _hf_pos_conv_names(model, rename(keys, fs_cfg["extractor_mode"], to_hf=True))
    out = {names[k]: fs_state[k] for k in keys}
    proj = "feature_projection.projection.weight"
    if proj not in out:  # fairseq omits post_extract_proj when conv dim == embed dim
        dim = model.config.hidden_size
        if model.config.conv_dim[-1] != dim:
            raise SpoofcmError("checkpoint lacks post_extract_proj but conv dim != embed dim")
        out[proj] = torch.eye(dim)
        out["feature_projection.projection.bias"] = torch.zeros(dim)
    return out


def from_hf_state(hf_state: Mapping[str, torch.Tensor], extractor_mode: str) -> dict[str, torch.Tensor]:
    """HF ``Wav2Vec2Model`` tensors under fairseq's names (inverse of :func:`to_hf_state`)."""
    keys = []
    for k in hf_state:
        for new, old in _LEGACY_WEIGHT_NORM.items():
            k = k.replace("conv." + old, "conv." + new)
        keys.append(k)
    names = rename(keys, extractor_mode, to_hf=False)
    return {names[k]: v for k, v in zip(keys, hf_state.values())}


def build_model(fs_cfg: Mapping[str, Any], fs_state: Mapping[str, torch.Tensor],
                source: str | os.PathLike = "checkpoint") -> Wav2Vec2Model:
    """A ``Wav2Vec2Model`` in eval mode with the fairseq weights, checked key by key and by shape.

    The network is built on the meta device and the checkpoint's tensors are assigned to it,
    so a 300M-parameter model is neither randomly initialised nor held twice in memory.
    """
    with torch.device("meta"):
        model = Wav2Vec2Model(hf_config(fs_cfg))
    state = {k: v.float() for k, v in to_hf_state(fs_state, fs_cfg, model).items()}
    expected = model.state_dict()
    if "masked_spec_embed" in expected and "masked_spec_embed" not in state:
        state["masked_spec_embed"] = torch.zeros(expected["masked_spec_embed"].shape)  # unused in eval
    check_fits(state, expected, f"{source}: weights of the configured wav2vec 2.0 network", 3)
    model.load_state_dict(state, assign=True)
    left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:  # a tensor the checkpoint did not provide: a programming error, never a silent one
        raise SpoofcmError(f"{source}: no weights for {left[:3]}")
    return model.eval()
