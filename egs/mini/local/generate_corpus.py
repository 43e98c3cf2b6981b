#!/usr/bin/env python3
"""Generate the mini corpus (ASVspoof 2019 LA / 2021 LA+DF layouts, an ASVspoof 5-style part
and an In-the-Wild-style folder) from a seed.

Usually called by prepare_corpus.sh; exits at once when the corpus already exists.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from minicorpus.generate import DONE, CorpusError, generate  # noqa: E402
from minicorpus.plan import SIZES  # noqa: E402
from minicorpus.channels import ChannelError  # noqa: E402
from minicorpus.render import RenderError  # noqa: E402
from minicorpus.sources import SourceError  # noqa: E402
from minicorpus.tts import TTSError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", default="default", choices=sorted(SIZES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None,
                    help="output folder (default: egs/mini/db/<size>)")
    ap.add_argument("--nj", type=int, default=2, help="worker processes (default 2)")
    args = ap.parse_args(argv)
    out = (args.out or here.parent / "db" / args.size).resolve()
    marker = out / DONE
    if marker.is_file():
        have = marker.read_text().split()
        if f"seed={args.seed}" not in have:
            print(f"[prepare_corpus] note: {out} was generated with {' '.join(have[:2])}; kept "
                  f"(delete it to regenerate with seed {args.seed})", file=sys.stderr)
        print(f"[prepare_corpus] {out} is complete, nothing to do")
        return 0
    t0 = time.time()
    try:
        generate(out, args.size, args.seed, args.nj)
    except (SourceError, CorpusError) as exc:
        print(f"prepare_corpus: error: {exc}", file=sys.stderr)
        return 1
    except (TTSError, ChannelError, RenderError) as exc:
        print(f"prepare_corpus: error: {exc} (finished files are kept in "
              f"{out.name}.partial/; rerun the same command to resume)", file=sys.stderr)
        return 1
    print(f"[prepare_corpus] wrote {out} ({args.size}, seed {args.seed}) in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
