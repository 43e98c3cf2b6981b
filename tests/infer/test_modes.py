"""Scoring rules: the official AASIST crop/tile padding, rule precedence, score conventions."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.infer.modes import (InferMode, logits_to_score, mode_parts, official_crop,
                                 resolve_mode)


def test_official_crop_cuts_or_tiles_like_np_tile():
    long = np.arange(100000, dtype=np.float32)
    assert np.array_equal(official_crop(long, 64600), long[:64600])
    short = np.arange(20000, dtype=np.float32)
    out = official_crop(short, 64600)
    assert len(out) == 64600 and np.array_equal(out, np.tile(short, 4)[:64600])
    assert out[20000] == 0 and out[64599] == 64599 % 20000
    assert np.array_equal(official_crop(long[:64600], 64600), long[:64600])
    with pytest.raises(SpoofcmError, match="empty"):
        official_crop(np.zeros(0), 10)


def test_rule_precedence_and_errors():
    imported = {"infer": {"mode": "official_crop", "crop_samples": 64600, "score": "bonafide_logit"}}
    assert resolve_mode(imported) == InferMode("official_crop", crop_samples=64600,
                                               score="bonafide_logit")
    assert resolve_mode(imported, "full").name == "full"
    windowed = resolve_mode(imported, None, 4.0)
    assert windowed.name == "windowed" and windowed.window_units == 200
    assert resolve_mode({}) == InferMode() and resolve_mode({}).is_default
    assert not resolve_mode(imported).is_default and not resolve_mode(imported, "full").is_default
    for cfg, cli, match in (({"infer": {"mode": "crop"}}, None, "infer.mode"),
                            ({"infer": {"score": "prob"}}, None, "infer.score"),
                            ({}, "windowed", "--window-seconds"),
                            ({"infer": {"mode": "official_crop", "crop_samples": 0}}, None,
                             "crop_samples")):
        with pytest.raises(SpoofcmError, match=match):
            resolve_mode(cfg, cli)


def test_score_conventions_and_raw_wave_only():
    logits = torch.tensor([[2.0, -1.0], [0.5, 3.0]])
    assert logits_to_score(logits).tolist() == [-3.0, 2.5]
    assert logits_to_score(logits, "bonafide_logit").tolist() == [-1.0, 3.0]
    crop = InferMode("official_crop", crop_samples=640)
    parts = mode_parts({"wav": np.ones(100, dtype=np.float32)}, crop)
    assert len(parts) == 1 and parts[0]["wav"].shape == (640,)
    with pytest.raises(SpoofcmError, match="raw-waveform"):
        mode_parts({"wav": np.ones(960), "logmel": np.ones((6, 128))}, crop)
