"""Import a released AASIST checkpoint as a spoofcm experiment:

  spoofcm-import-aasist --weights AASIST.pth --exp exp/aasist_pretrained
  spoofcm-score --exp exp/aasist_pretrained my.wav

``--config`` names the release (aasist, aasist_l, aasist_asvspoof5); without it the release is
recognised by the file's published sha256, else by its shapes. Writes ``<exp>/best.pt`` and
``<exp>/config.yaml`` (architecture, provenance: source file, sha256, release, and the authors'
scoring rule, ``infer.mode: official_crop``). No ``threshold.json``: spoofcm-score prints raw
scores until ``spoofcm-eval --dev-scores S --dev-data D --calibration <exp>/calibration.json``
calibrates the model on a labelled set. Download links: docs/pretrained_aasist.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.errors import cli_main


def build_parser() -> argparse.ArgumentParser:
    from spoofcm.models.aasist_release import RELEASES
    p = argparse.ArgumentParser(prog="spoofcm-import-aasist", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", required=True, type=Path, help="the released .pth state dict")
    p.add_argument("--config", choices=tuple(RELEASES), default=None,
                   help="which release (default: recognised from the file)")
    p.add_argument("--exp", required=True, type=Path, help="output experiment dir")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="allow arbitrary pickled types in --weights (only for trusted files)")
    p.add_argument("--force", action="store_true", help="overwrite an existing <exp>/best.pt")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from spoofcm.infer.pretrained import import_release

    out = args.exp / "best.pt"
    if out.exists() and not args.force:
        print(f"{out} exists: nothing to do (--force to overwrite)", file=sys.stderr)
        return 0
    release, cfg = import_release(args.weights, args.exp, args.config, args.trust_checkpoint)
    note = "" if cfg["pretrained"]["sha256_matches_release"] else " (sha256 differs from the release)"
    print(f"imported {args.weights} as release '{release}'{note} -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
