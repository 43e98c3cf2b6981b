"""Write a randomly initialised wav2vec 2.0 in the real fairseq 0.12 checkpoint layout.

The mini recipe and the tests then exercise exactly the loader that a released
``xlsr2_300m.pt`` goes through: the same top-level keys, a plain nested-dict ``cfg`` with
``model`` and ``task`` sections, fairseq parameter names (including the pretraining-only
quantizer, ``project_q`` and ``final_proj`` tensors), saved atomically with ``torch.save``.
The encoder weights come from a seeded random HF model mapped back to fairseq's names.
"""
from __future__ import annotations

import collections
import os
from typing import Any

import torch
from transformers import Wav2Vec2Model

from spoofcm.fsutil import atomic_path
from spoofcm.ssl.convert import from_hf_state, hf_config, parse_conv_layers
from spoofcm.ssl.presets import preset


def _pretraining_tensors(cfg: dict[str, Any], gen: torch.Generator) -> dict[str, torch.Tensor]:
    """fairseq's quantizer / project_q / final_proj shapes (GumbelVectorQuantizer, depth 1)."""
    conv_dim = parse_conv_layers(cfg["conv_feature_layers"])[-1][0]
    embed, groups, num_vars = cfg["encoder_embed_dim"], cfg["latent_groups"], cfg["latent_vars"]
    final_dim = cfg["final_dim"] or embed
    vq_dim = cfg["latent_dim"] or final_dim

    def rnd(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen) * 0.02

    return {
        "quantizer.vars": torch.rand(1, groups * num_vars, vq_dim // groups, generator=gen),
        "quantizer.weight_proj.weight": rnd(groups * num_vars, conv_dim),
        "quantizer.weight_proj.bias": torch.zeros(groups * num_vars),
        "project_q.weight": rnd(final_dim, vq_dim), "project_q.bias": torch.zeros(final_dim),
        "final_proj.weight": rnd(final_dim, embed), "final_proj.bias": torch.zeros(final_dim),
    }


def random_checkpoint(preset_name: str = "tiny", seed: int = 0, **changes: Any) -> dict[str, Any]:
    """The checkpoint dict fairseq-hydra-train would write for this preset (fields in
    ``changes`` replaced), random weights."""
    model_cfg, normalize = preset(preset_name)
    model_cfg.update(changes)
    torch.manual_seed(seed)
    hf_model = Wav2Vec2Model(hf_config(model_cfg))
    gen = torch.Generator().manual_seed(seed + 1)
    state = from_hf_state(hf_model.state_dict(), model_cfg["extractor_mode"])
    state["mask_emb"] = torch.rand(model_cfg["encoder_embed_dim"], generator=gen)
    state.update(_pretraining_tensors(model_cfg, gen))
    state = collections.OrderedDict((k, v.detach().clone().contiguous()) for k, v in state.items())
    cfg = {
        "_name": None,
        "common": {"_name": None, "seed": seed, "cpu": True, "fp16": False},
        "task": {"_name": "audio_pretraining", "data": "data", "labels": None,
                 "sample_rate": 16000, "normalize": normalize, "enable_padding": False,
                 "max_sample_size": 250000, "min_sample_size": 32000},
        "model": dict(model_cfg),
        "criterion": {"_name": "wav2vec", "infonce": True, "loss_weights": [0.1, 0.0],
                      "log_keys": ["prob_perplexity", "code_perplexity", "temp"]},
        "optimizer": {"_name": "adam", "adam_betas": [0.9, 0.98], "adam_eps": 1e-06,
                      "weight_decay": 0.01, "lr": [0.0]},
        "optimization": {"_name": None, "max_update": 0, "lr": [0.0]},
        "lr_scheduler": {"_name": "polynomial_decay", "warmup_updates": 0},
        "checkpoint": {"_name": None, "save_dir": "checkpoints"},
    }
    return {
        "args": None, "cfg": cfg, "model": state, "criterion": None,
        "optimizer_history": [{"criterion_name": "Wav2vecCriterion", "optimizer_name": "FairseqAdam",
                               "lr_scheduler_state": {"best": None}, "num_updates": 0}],
        "task_state": {},
        "extra_state": {"metrics": {}, "previous_training_time": 0.0,
                        "train_iterator": {"version": 2, "epoch": 1, "iterations_in_epoch": 0,
                                           "shuffle": True}, "val_loss": None, "best": None},
        "last_optimizer_state": {"state": {}, "param_groups": [
            {"lr": 0.0, "betas": (0.9, 0.98), "eps": 1e-06, "weight_decay": 0.01,
             "amsgrad": False, "params": list(range(len(state)))}]},
    }


def write_random_checkpoint(out: str | os.PathLike, preset_name: str = "tiny", seed: int = 0) -> None:
    """Save :func:`random_checkpoint` to ``out`` atomically."""
    ckpt = random_checkpoint(preset_name, seed)
    with atomic_path(out, suffix=".pt") as tmp:
        torch.save(ckpt, tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a model file is readable like any
