"""Parity with the official AASIST code: each released checkpoint, imported by
spoofcm-import-aasist, gives the official logits on every golden input (after the official
evaluation padding) within 1e-4. Reads ../shared/golden/aasist/ in place; skips without it."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from spoofcm.infer.modes import official_crop
from spoofcm.infer.pretrained import import_release
from spoofcm.models.aasist_release import RELEASES
from spoofcm.infer.load import load_exp_model


@pytest.fixture(scope="module")
def golden(golden_dir):
    path = golden_dir / "aasist"
    if not (path / "weights").is_dir():
        pytest.skip(f"AASIST golden data not found in {path}")
    return path


@pytest.mark.slow     # about 10 s of CPU per release (five 64,600-sample inputs)
@pytest.mark.parametrize("release", list(RELEASES))
def test_imported_release_gives_the_official_logits(golden, release, tmp_path):
    expected = json.loads((golden / release / "expected.json").read_text())
    weights = golden / expected["weights_file"]
    name, cfg = import_release(weights, tmp_path / "exp")        # release recognised by sha256
    assert name == release and cfg["pretrained"]["sha256"] == expected["weights_sha256"]
    assert cfg["pretrained"]["sha256_matches_release"] is True
    ref_cfg = expected["model_config"]
    for key in ("filts", "gat_dims", "pool_ratios", "temperatures", "first_conv"):
        assert cfg["model"][key] == ref_cfg[key], key
    assert cfg["infer"]["crop_samples"] == ref_cfg["nb_samp"]
    model, _ = load_exp_model(tmp_path / "exp")
    assert sum(p.numel() for p in model.parameters()) == expected["n_params"]
    names = sorted(expected["logits"])
    waves = [official_crop(np.load(golden / "inputs" / f"{n}.npy"), 64600) for n in names]
    with torch.no_grad():
        got = model({"wav": torch.from_numpy(np.stack(waves).astype(np.float32))}).numpy()
    ref = np.array([expected["logits"][n] for n in names])
    worst = np.abs(got - ref).max(axis=1)
    assert worst.max() <= 1e-4, dict(zip(names, worst.tolist()))
