"""The released AASIST checkpoints (MIT licence, © NAVER Corp.) and their import as experiments.

Three state dicts of the raw-waveform AASIST are public: AASIST and AASIST-L trained on ASVspoof
2019 LA (the authors' release, github.com/clovaai/aasist, ``models/weights/``), and the ASVspoof
5 organisers' baseline AASIST (github.com/asvspoof-challenge/asvspoof5,
``Baseline-AASIST/models/weights/AASIST/best.pth``).
Their keys are ours (:class:`spoofcm.models.raw_aasist.AASIST`), so importing is: read data-only,
fit-check, record where they came from, and write an experiment folder that spoofcm-score and
spoofcm-infer use unchanged, scored by the authors' evaluation rule (``infer.mode:
official_crop``, ``infer.score: bonafide_logit``). No threshold is written: the model has seen no
data of ours to justify one (calibrate with ``spoofcm-eval --dev-scores ... --calibration``).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Mapping

import torch

from spoofcm.errors import SpoofcmError

_COMMON = {"name": "aasist", "first_conv": 128, "temperatures": [2.0, 2.0, 100.0, 100.0]}
_AASIST = {**_COMMON, "filts": [70, [1, 32], [32, 32], [32, 64], [64, 64]], "gat_dims": [64, 32],
           "pool_ratios": [0.5, 0.7, 0.5, 0.5]}
_AASIST_L = {**_COMMON, "filts": [70, [1, 32], [32, 32], [32, 24], [24, 24]],
             "gat_dims": [24, 32], "pool_ratios": [0.4, 0.5, 0.7, 0.5]}
_AUTHORS = "https://github.com/clovaai/aasist (models/weights/)"
_ORGANISERS = (
    "https://github.com/asvspoof-challenge/asvspoof5 (Baseline-AASIST/models/weights/AASIST/best.pth)")

#: name -> architecture, published sha256, where it is distributed, what it was trained on
RELEASES: dict[str, dict[str, Any]] = {
    "aasist": {"model": _AASIST, "origin": _AUTHORS,
               "sha256": "51d2d9cf0738172f61e2a384ec50a54a55363240f67c971ed55a92435bc1a1c0",
               "trained_on": "ASVspoof 2019 LA train",
               "published": "ASVspoof 2019 LA eval EER 0.83 %, min t-DCF 0.0275"},
    "aasist_l": {"model": _AASIST_L, "origin": _AUTHORS,
                 "sha256": "814331d088032bb4c3fa61cc014789eadeed464209dd094ab3a2dd6ffbdce27a",
                 "trained_on": "ASVspoof 2019 LA train",
                 "published": "ASVspoof 2019 LA eval EER 0.99 %, min t-DCF 0.0309"},
    "aasist_asvspoof5": {"model": _AASIST,
                         "origin": _ORGANISERS,
                         "sha256": "8f10fe1d1ce3ac62c19f00b86dfaf79f86f464301d23e08726b16b02edbb601c",
                         "trained_on": "ASVspoof 5 train",
                         "published": "ASVspoof 5 validation set EER 15.2 %"},
}
LICENCE = "MIT, (c) 2021-present NAVER Corp. (see the release's LICENSE and NOTICE)"


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def strip_prefix(state: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    """A DataParallel ``module.`` prefix removed; anything not a tensor is an error."""
    out = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}
    bad = [k for k, v in out.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise SpoofcmError(f"not a state dict: entries {bad[:3]} are not tensors")
    return out


def guess_release(state: Mapping[str, torch.Tensor], digest: str) -> str:
    """The release a file is: by its published sha256, else by its AASIST / AASIST-L shapes."""
    for name, rel in RELEASES.items():
        if rel["sha256"] == digest:
            return name
    pos = state.get("pos_S")
    if pos is not None and tuple(pos.shape) == (1, 23, 24):
        return "aasist_l"
    return "aasist"


def experiment_config(release: str, weights: Path, digest: str) -> dict[str, Any]:
    """config.yaml of an imported release: architecture, scoring rule and provenance."""
    rel = RELEASES[release]
    known = digest == rel["sha256"]
    return {"model": dict(rel["model"]), "ssl": {"cache": False},
            "train": {"crop_seconds": 4.0375},
            "infer": {"mode": "official_crop", "crop_samples": 64600, "score": "bonafide_logit"},
            "pretrained": {"release": release, "source": str(weights.resolve()), "sha256": digest,
                           "sha256_matches_release": known, "origin": rel["origin"],
                           "trained_on": rel["trained_on"], "published": rel["published"],
                           "licence": LICENCE}}
