"""spoofcm-dump-logmel: stage 1, log mel features of one job's slice of a data dir.

Writes ``<out>/feats.J.ark`` + ``feats.J.scp`` (float32 matrices, frames × 128, through
kaldiio) and ``utt2num_frames.J.txt``, then the done marker ``<out>/.done.J``; exits at once
when that marker exists. Outputs appear whole or not at all (spoofcm.data.dump.ShardWriter).
"""
from __future__ import annotations

import argparse
import sys

from spoofcm.bin.argtypes import positive_int
from spoofcm.errors import cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-dump-logmel", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="data dir (wav.scp, utt2num_samples, ...)")
    p.add_argument("--out", required=True, help="output dir, e.g. dump/logmel/train")
    p.add_argument("--job", type=positive_int, default=1, help="this job's number, 1-based")
    p.add_argument("--nj", type=positive_int, default=1, help="number of jobs")
    p.add_argument("--num-threads", type=positive_int, default=1, help="torch threads per job")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--check-space", action="store_true",
                   help="only check that the whole set's dump fits the free space, then exit")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.check_space:
        from spoofcm.data.dump import check_space, estimate_dump_bytes
        check_space(args.out, estimate_dump_bytes(args.data, 160, 128, 4))
        return 0
    import torch

    from spoofcm.data.dump import dump_logmel_job
    torch.set_num_threads(args.num_threads)
    n = dump_logmel_job(args.data, args.out, args.job, args.nj, progress=not args.no_progress)
    print(f"spoofcm-dump-logmel: job {args.job}/{args.nj}: "
          f"{'already done, skipped' if n is None else f'{n} utterances'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
