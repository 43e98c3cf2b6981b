"""Validate data dirs (docs/formats.md) and print a one-line summary of each.

The shell tools (``utils/validate_data_dir.sh``, ``run.sh`` stage 0) call this so that the
rules live in one place, ``spoofcm.data.datadir.validate_data_dir``; a broken dir gives one
``spoofcm-validate-data: error: <file>: <problem>`` line and exit code 1.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter

from spoofcm.data.datadir import DataDir, validate_data_dir
from spoofcm.errors import cli_main


def summary(data: DataDir) -> str:
    """``validated <dir>: N utterances, S speakers, B bonafide / P spoof, ...``."""
    labels = Counter(data.utt2label.values())
    attacks = {a for a in data.utt2attack.values() if a != "-"}
    conds = set(data.utt2cond.values())
    text = (f"validated {data.path}: {len(data)} utterances, {len(set(data.utt2spk.values()))} "
            f"speakers, {labels['bonafide']} bonafide / {labels['spoof']} spoof, "
            f"{len(attacks)} attacks, {len(conds)} conditions")
    if data.utt2subset:
        subsets = Counter(data.utt2subset.values())
        text += ", subsets " + " ".join(f"{k}:{subsets[k]}" for k in sorted(subsets))
    return text


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spoofcm-validate-data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dirs", nargs="+", metavar="DIR", help="data dir(s) to check")
    parser.add_argument("--check-audio", action="store_true",
                        help="also check that every wav.scp path exists")
    args = parser.parse_args(argv)
    for path in args.data_dirs:
        print(summary(validate_data_dir(path, check_audio=args.check_audio)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
