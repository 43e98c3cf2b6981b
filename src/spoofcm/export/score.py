"""``spoofcm-score --model FILE``: the scorer's view of an exported detector."""
from __future__ import annotations

import argparse
from typing import Callable

import numpy as np

from spoofcm.errors import SpoofcmError


def exported_scorer(args: argparse.Namespace
                    ) -> tuple[Callable[[np.ndarray, str], float], float | None, str]:
    """Score function, threshold (None when the export has none) and its source."""
    from spoofcm.export.runtime import ExportedModel
    if args.window_seconds is not None:
        raise SpoofcmError(f"--window-seconds: an exported model has a fixed window "
                           f"(see {args.model}.json); leave the option out")
    device = "cuda" if args.device == "cuda" else "cpu"
    model = ExportedModel(args.model, device=device)
    source = f"{model.threshold_source}, from {model.path.name}"
    return (lambda wave, name: model.score(wave)), model.threshold, source
