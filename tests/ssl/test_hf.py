"""Hugging Face folders: a save_pretrained round trip gives the same outputs; bad folders fail."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.ssl import extract, load


def test_round_trip(tmp_path, tiny_model):
    tiny_model.save_pretrained(tmp_path / "hf")
    again = load(tmp_path / "hf")
    assert again.config.spoofcm_normalize is True and not again.training
    assert again.config.apply_spec_augment is False  # no masking inside the encoder when fine-tuning
    wave = np.random.RandomState(0).randn(20000).astype(np.float32) * 0.1
    with torch.no_grad():
        a = extract(tiny_model, wave, [0, 1, -1])
        b = extract(again, wave, [0, 1, -1])
    torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)


def test_normalize_flag_from_preprocessor_config(tmp_path, tiny_model):
    tiny_model.save_pretrained(tmp_path / "hf")
    cfg_path = tmp_path / "hf" / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg.pop("spoofcm_normalize")
    cfg_path.write_text(json.dumps(cfg))
    (tmp_path / "hf" / "preprocessor_config.json").write_text(json.dumps({"do_normalize": False}))
    assert load(tmp_path / "hf").config.spoofcm_normalize is False


def test_folder_without_config(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SpoofcmError, match="no config.json"):
        load(tmp_path / "empty")


def test_folder_with_broken_weights(tmp_path, tiny_model):
    tiny_model.save_pretrained(tmp_path / "hf")
    weights = tmp_path / "hf" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(SpoofcmError, match="cannot load"):
        load(tmp_path / "hf")


def test_folder_without_weights(tmp_path, tiny_model):
    tiny_model.save_pretrained(tmp_path / "hf")
    (tmp_path / "hf" / "model.safetensors").unlink()
    with pytest.raises(SpoofcmError, match="without weights"):
        load(tmp_path / "hf")
