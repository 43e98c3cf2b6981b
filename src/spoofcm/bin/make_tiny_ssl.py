"""Write a randomly initialised wav2vec 2.0 checkpoint in fairseq's own file layout.

The mini recipe points ``ssl.checkpoint`` at this file so stage 2 and training go through the
same fairseq loader as a released ``xlsr2_300m.pt``. ``--preset xlsr_300m`` writes the real
XLS-R 300M architecture (random weights, ~1.2 GB) for benchmarks.
"""
from __future__ import annotations

import argparse
import sys

from spoofcm.bin.argtypes import nonneg_int
from spoofcm.errors import cli_main
from spoofcm.ssl.presets import PRESETS


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spoofcm-make-tiny-ssl", description=__doc__)
    parser.add_argument("--out", required=True, help="checkpoint file to write (.pt)")
    parser.add_argument("--seed", type=nonneg_int, default=0, help="random seed (default 0)")
    parser.add_argument("--preset", default="tiny", choices=sorted(PRESETS),
                        help="architecture (default tiny)")
    args = parser.parse_args(argv)
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    write_random_checkpoint(args.out, args.preset, args.seed)
    print(f"wrote {args.preset} wav2vec 2.0 checkpoint (fairseq layout, seed {args.seed}) to {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
