"""Export a trained experiment as one self-contained detector file:
``spoofcm-export --exp exp/<tag> --format torchscript|onnx --out FILE``.

The file maps 16 kHz mono waveform windows to bona fide scores with the front end inside
(log-mel; the SSL encoder of frozen-SSL models, so no fairseq checkpoint is needed beside it).
``FILE.json`` (also embedded in the file) holds the window rule, the score convention, the
decision threshold (calibrated when calibration.json exists, else the dev EER threshold of
threshold.json, else none) and the provenance. Score files with it:
``spoofcm-score --model FILE a.wav``. GMM systems cannot be exported.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.errors import cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-export", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--exp", required=True, type=Path, help="exp/<tag> of a trained model")
    p.add_argument("--format", required=True, choices=("torchscript", "onnx"))
    p.add_argument("--out", required=True, type=Path, help="file to write (sidecar: FILE.json)")
    p.add_argument("--checkpoint", default="best.pt", help="checkpoint in --exp (default best.pt)")
    p.add_argument("--window-seconds", type=float, default=None,
                   help="window length of the exported graph (default: train.crop_seconds)")
    p.add_argument("--force", action="store_true", help="rewrite an up-to-date export")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="allow arbitrary pickled objects in checkpoints (trusted sources only)")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from spoofcm.export.exporter import export_experiment
    side, written = export_experiment(args.exp, args.format, args.out, args.checkpoint,
                                      args.trust_checkpoint, args.window_seconds, args.force)
    state = "wrote" if written else "up to date:"
    print(f"spoofcm-export: {state} {args.out} (+ {side.name})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
