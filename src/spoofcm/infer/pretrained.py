"""Importing a released AASIST state dict as an experiment folder that every tool uses
unchanged (spoofcm-import-aasist): weights fit-checked and loaded data-only, provenance recorded
in the config's ``pretrained:`` section, no decision threshold (calibrate on labelled data)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from spoofcm.errors import SpoofcmError
from spoofcm.models.aasist_release import (RELEASES, experiment_config, guess_release, sha256_of,
                                           strip_prefix)
from spoofcm.statedict import check_fits


def import_release(weights: str | os.PathLike, exp: str | os.PathLike, release: str | None = None,
                   trust: bool = False) -> tuple[str, dict[str, Any]]:
    """Convert a released state dict into ``exp/{best.pt,config.yaml}``; returns the release
    name and the config. Raises SpoofcmError naming the file on any mismatch."""
    from spoofcm.config import dump_yaml
    from spoofcm.models.raw_aasist import build_aasist
    from spoofcm.train import checkpoint as ckpt

    weights, exp = Path(weights), Path(exp)
    if release is not None and release not in RELEASES:
        raise SpoofcmError(f"--config '{release}': choose one of {', '.join(RELEASES)}")
    state = strip_prefix(ckpt.load(weights, trust=trust))
    digest = sha256_of(weights)
    release = release or guess_release(state, digest)
    cfg = experiment_config(release, weights, digest)
    model = build_aasist(cfg["model"], cfg)
    check_fits(state, model.state_dict(), f"{weights}: weights of release '{release}'")
    model.load_state_dict(state, strict=True)
    exp.mkdir(parents=True, exist_ok=True)
    dump_yaml(cfg, exp / "config.yaml")
    ckpt.save({"model": model.state_dict(), "config": cfg, "epoch": 0, "finished": True,
               "history": [], "imported_from": str(weights.resolve()), "sha256": digest},
              exp / "best.pt")
    return release, cfg
