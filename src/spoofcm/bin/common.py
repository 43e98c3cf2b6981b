"""Command-line options shared by the programs that score with a trained experiment."""
from __future__ import annotations

import argparse


def add_scoring_options(p: argparse.ArgumentParser, unit: str = "utterance") -> None:
    """Checkpoint choice, windowing, device and the trust flag (spoofcm-infer, spoofcm-score)."""
    p.add_argument("--checkpoint", default="best.pt", help="checkpoint in --exp (default best.pt)")
    p.add_argument("--window-seconds", type=float, default=None,
                   help=f"average fixed windows of this length instead of the full {unit}")
    p.add_argument("--mode", choices=("full", "windowed", "official_crop"), default=None,
                   help="scoring rule (default: the experiment's infer.mode, else full; "
                        "official_crop = first 64,600 samples, tiled when shorter)")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="allow arbitrary pickled objects in checkpoints (trusted sources only)")
