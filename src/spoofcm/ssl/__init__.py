"""wav2vec 2.0 / XLS-R front end: load fairseq or Hugging Face checkpoints, extract layers.

Stable API (docs/stages.md):

* :func:`load` — ``load(path, trust_checkpoint=False) -> transformers.Wav2Vec2Model`` in eval
  mode, from a fairseq ``.pt`` (fairseq not needed) or a Hugging Face ``save_pretrained`` folder.
  ``model.config.spoofcm_normalize`` records whether inputs must be normalised per utterance
  (fairseq ``task.normalize``); :func:`extract` applies it.
* :func:`extract` — ``extract(model, wave(s), layers) -> Tensor`` (frames × n_layers·dim), see
  :mod:`spoofcm.ssl.layers` for the layer index convention.
"""
from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

from spoofcm.errors import SpoofcmError
from spoofcm.ssl.extract import extract, extract_list, num_frames
from spoofcm.ssl.layers import parse_layers, resolve_layers

if TYPE_CHECKING:
    from transformers import Wav2Vec2Model

__all__ = ["load", "load_encoder", "encoder_config", "extract", "extract_list", "num_frames",
           "parse_layers", "resolve_layers"]


def load(path: str | os.PathLike, trust_checkpoint: bool = False) -> "Wav2Vec2Model":
    """A ``Wav2Vec2Model`` (eval mode, CPU, float32) from a fairseq .pt file or an HF folder."""
    from spoofcm.ssl.convert import build_model
    from spoofcm.ssl.fairseq_ckpt import read_fairseq
    from spoofcm.ssl.hf import load_hf_folder

    path = Path(path)
    if not str(path) or not path.exists():
        raise SpoofcmError(f"{path}: SSL checkpoint not found (set ssl.checkpoint to a fairseq "
                           ".pt file such as xlsr2_300m.pt or a Hugging Face model folder)")
    if path.is_dir():
        return load_hf_folder(path)
    fs = read_fairseq(path, trust=trust_checkpoint)
    model = build_model(fs.cfg, fs.state, source=path)
    model.config.spoofcm_normalize = fs.normalize
    return model


def encoder_config(model: "Wav2Vec2Model") -> dict:
    """The architecture of an encoder as plain data (what an experiment records in
    ``ssl.encoder_config``), input normalisation included."""
    conf = model.config.to_dict()
    conf["spoofcm_normalize"] = bool(getattr(model.config, "spoofcm_normalize", False))
    return conf


def load_encoder(ssl_cfg: dict, trust_checkpoint: bool = False) -> "Wav2Vec2Model":
    """The SSL encoder a model builder needs: built empty from ``ssl.encoder_config`` when an
    experiment recorded it (its trained weights come from the experiment's checkpoint, so the
    original SSL checkpoint is not needed), else loaded from ``ssl.checkpoint``."""
    recorded = ssl_cfg.get("encoder_config")
    if recorded:
        from transformers import Wav2Vec2Config, Wav2Vec2Model
        model = Wav2Vec2Model(Wav2Vec2Config.from_dict(dict(recorded)))
        model.config.spoofcm_normalize = bool(recorded.get("spoofcm_normalize", False))
        return model.eval()
    return load(str(ssl_cfg.get("checkpoint") or ""),
                trust_checkpoint or bool(ssl_cfg.get("trust_checkpoint", False)))
