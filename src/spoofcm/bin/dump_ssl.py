"""Stage 2: cache wav2vec 2.0 / XLS-R layer outputs (float16) for one job's share of a set.

``--print-tag`` prints the cache folder name for a checkpoint and layer choice (run.sh uses it
for ``dump/ssl/<ssl_tag>/``). Otherwise writes ``feats.J.ark/.scp``, ``utt2num_frames.J.txt``,
``layers``, ``dim`` and ``.done.J`` under ``--out``; a finished job (its ``.done.J`` exists) exits
at once, so a killed stage 2 resumes where it stopped.
"""
from __future__ import annotations

import argparse
import sys

from spoofcm.bin.argtypes import nonneg_int, positive_float, positive_int
from spoofcm.errors import SpoofcmError, cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-dump-ssl", description=__doc__)
    p.add_argument("--checkpoint", required=True, help="fairseq .pt file or Hugging Face folder")
    p.add_argument("--layers", default="-1",
                   help="comma-separated layer indices: 0 = input of layer 1, k = output of layer "
                        "k, -1 = final output (default -1)")
    p.add_argument("--print-tag", action="store_true", help="print the ssl_tag and exit")
    p.add_argument("--data", help="data dir of the set")
    p.add_argument("--out", help="output dir dump/ssl/<ssl_tag>/<set>")
    p.add_argument("--job", type=positive_int, default=1, help="this job's index, 1-based (default 1)")
    p.add_argument("--nj", type=positive_int, default=1, help="number of jobs (default 1)")
    p.add_argument("--ngpu", type=nonneg_int, default=0,
                   help="GPUs to spread the jobs over: job J runs on GPU (J-1) mod N; 0 = CPU")
    p.add_argument("--batch-seconds", type=positive_float, default=60.0,
                   help="padded audio per batch in seconds (default 60)")
    p.add_argument("--check-space", action="store_true",
                   help="only check that the whole set's cache fits the free space, then exit")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="allow any pickled type in the checkpoint (only for files you trust)")
    return p


def _join_layers(argv: list[str]) -> list[str]:
    """``--layers -2,-1`` → ``--layers=-2,-1``: argparse takes ``-2,-1`` for an option otherwise."""
    out: list[str] = []
    it = iter(argv)
    for arg in it:
        out.append(f"--layers={next(it, '')}" if arg == "--layers" else arg)
    return out


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_join_layers(sys.argv[1:] if argv is None else argv))
    from spoofcm.ssl.cache import ssl_tag
    from spoofcm.ssl.layers import parse_layers

    layers = parse_layers(args.layers)
    if args.print_tag:
        print(ssl_tag(args.checkpoint, layers))
        return 0
    if not args.data or not args.out:
        raise SpoofcmError("--data and --out are required unless --print-tag is given")
    from pathlib import Path

    from spoofcm.fsutil import is_done

    if is_done(Path(args.out) / f".done.{args.job}"):
        print(f"{args.out}: job {args.job} already done, skipping", file=sys.stderr)
        return 0
    from spoofcm.data.dump import dump_ssl_job
    from spoofcm.device import choose_device
    from spoofcm.features.streams import SSLFeatures
    from spoofcm.ssl import load, resolve_layers

    device = choose_device(ngpu=args.ngpu, job=args.job)
    model = load(args.checkpoint, trust_checkpoint=args.trust_checkpoint)
    resolve_layers(layers, model.config.num_hidden_layers)  # fail before any audio is read
    if args.check_space:
        from spoofcm.data.dump import check_space, estimate_dump_bytes
        check_space(args.out, estimate_dump_bytes(args.data, 320, len(layers) *
                                                  model.config.hidden_size, 2))
        return 0
    ssl = SSLFeatures(model, layers, device)
    n = dump_ssl_job(args.data, args.out, ssl, args.job, args.nj, args.batch_seconds)
    print(f"{args.out}: job {args.job}/{args.nj} cached {n or 0} utterances on {device}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
