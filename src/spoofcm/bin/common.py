"""Command-line options shared by the programs that score with a trained experiment."""
from __future__ import annotations

import argparse

from spoofcm.bin.argtypes import positive_float


def add_scoring_options(p: argparse.ArgumentParser, unit: str = "utterance") -> None:
    """Checkpoint choice, windowing, device and the trust flag (spoofcm-infer, spoofcm-score)."""
    p.add_argument("--checkpoint", default="best.pt", help="checkpoint in --exp (default best.pt)")
    p.add_argument("--window-seconds", type=positive_float, default=None,
                   help=f"average fixed windows of this length instead of the full {unit}")
    p.add_argument("--max-seconds", type=positive_float, default=None,
                   help=f"an {unit} longer than this is scored as the mean logits of training-crop "
                        "windows with 50%% overlap, in bounded memory (default: infer.max_seconds "
                        "of the experiment's config, 60)")
    p.add_argument("--mode", choices=("full", "windowed", "official_crop"), default=None,
                   help="scoring rule (default: the experiment's infer.mode, else full; "
                        "official_crop = first 64,600 samples, tiled when shorter)")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--ssl-checkpoint", default=None,
                   help="SSL checkpoint to use instead of the one the experiment recorded "
                        "(when it has moved; else ssl.checkpoint of <exp>/config.yaml is used)")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="allow arbitrary pickled objects in checkpoints (trusted sources only)")
