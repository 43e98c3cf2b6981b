#!/usr/bin/env python3
"""Lay a finished mini corpus out again as ASVspoof 5 (protocols + flac_T/D/E_eval) and as the
In-the-Wild release (meta.csv + numbered wav), for egs/asvspoof5 and egs/in_the_wild.

    egs/mini/local/derive_layouts5.py --src egs/mini/db/tiny [--out DIR] [--seed 0]

Writes DIR/ASVspoof5 and DIR/release_in_the_wild (DIR defaults to --src); idempotent.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from minicorpus.layouts5 import ASV5, ITW, derive  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=Path, required=True, help="finished mini corpus")
    ap.add_argument("--out", type=Path, help="output folder (default: --src)")
    ap.add_argument("--seed", type=int, default=0, help="In-the-Wild file numbering seed")
    args = ap.parse_args(argv)
    out = (args.out or args.src).resolve()
    try:
        made = derive(args.src.resolve(), out, args.seed)
    except (FileNotFoundError, OSError) as exc:
        print(f"derive_layouts5: error: {exc}", file=sys.stderr)
        return 1
    print(f"[derive_layouts5] {out / ASV5} and {out / ITW} "
          f"{'written' if made else 'already there'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
