"""Load a Hugging Face wav2vec 2.0 folder (``save_pretrained`` layout: config.json + weights)."""
from __future__ import annotations

import os
from pathlib import Path

from safetensors import SafetensorError
from transformers import Wav2Vec2Model

from spoofcm.errors import SpoofcmError
from spoofcm.textio import read_json

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                "pytorch_model.bin.index.json")


def hf_normalize_flag(path: Path, config_value: object) -> bool | None:
    """Whether inputs are normalised per utterance: our own flag, else the feature extractor's.

    HF keeps fairseq's ``task.normalize`` as ``do_normalize`` in preprocessor_config.json; when
    neither is present, layer-norm extractors (large / XLS-R models) were trained normalised.
    """
    if isinstance(config_value, bool):
        return config_value
    pre = path / "preprocessor_config.json"
    if pre.is_file():
        value = read_json(pre, obj=True).get("do_normalize")
        if isinstance(value, bool):
            return value
    return None


def load_hf_folder(path: str | os.PathLike) -> Wav2Vec2Model:
    """``Wav2Vec2Model.from_pretrained`` on a local folder, with one-line errors."""
    path = Path(path)
    if not (path / "config.json").is_file():
        raise SpoofcmError(f"{path}: a folder but not a Hugging Face model (no config.json)")
    if not any((path / f).is_file() for f in WEIGHT_FILES):
        raise SpoofcmError(f"{path}: Hugging Face folder without weights (expected one of "
                           f"{', '.join(WEIGHT_FILES[:2])})")
    try:
        model = Wav2Vec2Model.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError, RuntimeError, KeyError, SafetensorError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise SpoofcmError(f"{path}: cannot load the Hugging Face model ({first})") from None
    flag = hf_normalize_flag(path, getattr(model.config, "spoofcm_normalize", None))
    if flag is None:
        flag = model.config.feat_extract_norm == "layer"
    model.config.spoofcm_normalize = flag
    # as for fairseq files (SSL-AASIST fine-tunes with mask=False): no SpecAugment inside the
    # encoder in train mode; augmentation belongs to the recipe (RawBoost, codecs)
    model.config.apply_spec_augment = False
    return model.eval()
