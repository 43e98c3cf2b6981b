"""spoofcm-fingerprint: store the corpus fingerprint of a recipe's data dir (stage 0).

  spoofcm-fingerprint --data-dir egs/mini/data

Hashes the protocol/key file of every prepared set, every text file under the 2021 keys root
and the audio file list with sizes into ``<data-dir>/corpus_fingerprint.json``, which
spoofcm-report prints in RESULTS.md; a rerun whose inputs (sizes and mtimes of wav.scp and the
protocol/key files) did not change keeps the stored one. Corpus roots default to db.sh's
variables.
"""
from __future__ import annotations

import argparse
import sys

from spoofcm.data.asvspoof import CorpusRoots
from spoofcm.data.fingerprint import FINGERPRINT_FILE, write_fingerprint
from spoofcm.errors import cli_main


@cli_main
def main(argv: list[str] | None = None) -> int:
    env = CorpusRoots.from_env()
    p = argparse.ArgumentParser(prog="spoofcm-fingerprint", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, help="<recipe>/data (holds <set>/wav.scp)")
    p.add_argument("--la19", default=env.la19, help="ASVspoof 2019 LA root ($ASVSPOOF2019_LA)")
    p.add_argument("--la21-eval", default=env.la21_eval, help="$ASVSPOOF2021_LA_EVAL")
    p.add_argument("--df21-eval", default=env.df21_eval, help="$ASVSPOOF2021_DF_EVAL")
    p.add_argument("--keys", default=env.keys, help="2021 keys root ($ASVSPOOF2021_KEYS)")
    p.add_argument("--force", action="store_true",
                   help="hash again even if the inputs (sizes, mtimes) did not change")
    args = p.parse_args(argv)
    info, computed = write_fingerprint(args.data_dir, CorpusRoots(
        args.la19, args.la21_eval, args.df21_eval, args.keys), force=args.force)
    sets = ", ".join(f"{k} {v['utterances']}" for k, v in info["sets"].items())
    print(f"spoofcm-fingerprint: corpus {info['sha256'][:16]} ({sets}) "
          f"{'->' if computed else 'unchanged in'} {args.data_dir}/{FINGERPRINT_FILE}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
