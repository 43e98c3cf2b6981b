"""spoofcm-prep: write one data dir (train, dev, eval_la19, eval_la21, eval_df21) from the
official ASVspoof 2019 LA protocols / 2021 LA and DF keys and their flac/ folders; or
(train_asv5, dev_asv5, eval_asv5) from the ASVspoof 5 Track 1 protocols, or eval_itw from the
In-the-Wild release folder (meta.csv + wav).

Corpus roots default to the variables db.sh exports (ASVSPOOF2019_LA, ASVSPOOF2021_LA_EVAL,
ASVSPOOF2021_DF_EVAL, ASVSPOOF2021_KEYS, ASVSPOOF5, IN_THE_WILD). A finished dir is skipped (done marker recording the
inputs); a rerun with other inputs, or --force, rewrites it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.data.asvspoof import SETS, CorpusRoots, prepare_set, set_sources
from spoofcm.errors import cli_main
from spoofcm.fsutil import mark_done

DONE = ".done.prep"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = CorpusRoots.from_env()
    p = argparse.ArgumentParser(prog="spoofcm-prep", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--set", required=True, choices=SETS, dest="set_name", help="set to prepare")
    p.add_argument("--out", required=True, help="data dir to write, e.g. data/train")
    p.add_argument("--la19", default=env.la19, help="ASVspoof 2019 LA root ($ASVSPOOF2019_LA)")
    p.add_argument("--la21-eval", default=env.la21_eval,
                   help="ASVspoof 2021 LA eval root ($ASVSPOOF2021_LA_EVAL)")
    p.add_argument("--df21-eval", default=env.df21_eval,
                   help="ASVspoof 2021 DF eval root ($ASVSPOOF2021_DF_EVAL)")
    p.add_argument("--keys", default=env.keys, help="2021 keys root ($ASVSPOOF2021_KEYS)")
    p.add_argument("--asv5", default=env.asv5, help="ASVspoof 5 release root ($ASVSPOOF5)")
    p.add_argument("--itw", default=env.itw, help="In-the-Wild release folder ($IN_THE_WILD)")
    p.add_argument("--allow-missing-audio", action="store_true",
                   help="drop key lines whose flac is absent (the count is reported)")
    p.add_argument("--force", action="store_true", help="rewrite even if already done")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p.parse_args(argv)


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    roots = CorpusRoots(args.la19, args.la21_eval, args.df21_eval, args.keys, args.asv5, args.itw)
    key, audio_dir, _ = set_sources(args.set_name, roots)
    signature = (f"set={args.set_name} key={Path(key).resolve()} audio={Path(audio_dir).resolve()} "
                 f"allow_missing_audio={args.allow_missing_audio}")
    marker = Path(args.out) / DONE
    if not args.force and marker.is_file() and marker.read_text().strip() == signature:
        print(f"spoofcm-prep: {args.out} already prepared, skipping", file=sys.stderr)
        return 0
    marker.unlink(missing_ok=True)
    data, dropped = prepare_set(args.set_name, roots, args.out, args.allow_missing_audio,
                                progress=not args.no_progress)
    if dropped:
        print(f"spoofcm-prep: warning: {args.set_name}: dropped {dropped} trials of {key} "
              f"without audio in {audio_dir} (--allow-missing-audio)", file=sys.stderr)
    labels = list(data.utt2label.values())
    print(f"spoofcm-prep: {args.out}: {len(data)} utterances ({labels.count('bonafide')} bona "
          f"fide, {labels.count('spoof')} spoof), {len(set(data.utt2spk.values()))} speakers",
          file=sys.stderr)
    mark_done(marker, signature)
    return 0


if __name__ == "__main__":
    sys.exit(main())
