"""spoofcm-eval: score a countermeasure as the ASVspoof 2021 organisers do, and more.

Drop-in for the official scorer (same EER, min t-DCF and C0/C1/C2, checked on golden cases):

  spoofcm-eval --scores score.txt --keys KEYS --track LA --subset eval --out DIR
  spoofcm-eval --scores score.txt --data data/eval_la21 --out DIR     # Kaldi data dir instead

KEYS is the official keys folder (LA/CM/trial_metadata.txt, LA/ASV/trial_metadata.txt,
DF/CM/trial_metadata.txt). For LA, C0/C1/C2 come from --asv-scores, or else from the organisers'
ASV scores in KEYS/LA/ASV/ASVtorch_kaldi/score.txt (or ASVTorch_Kaldi), matched with the ASV key
line by line. Writes DIR/metrics.json, per_attack.md, per_condition.md, det.png, hist.png.
With --dev-scores/--dev-data a logistic-regression calibration is fitted on dev, saved to
--calibration, and Cllr and the actual DCF of the calibrated eval scores are reported (actual
DCF: the ASVspoof 5 CM cost model, pi_spoof 0.05, C_miss 1, C_fa 10, decided at its Bayes
threshold on the calibrated LLR, log(0.5/0.95)). A dev map with a slope <= 0 (a model that
ranks dev worse than chance) is neither saved nor used: metrics.json then records why under
calibrated.unusable, with no calibrated metrics. The EER's 95 % bootstrap interval (stratified,
fixed seed) is always reported (--n-boot 0 turns it off). Where the official scorer aborts
(a cell with fewer than 3 distinct scores) the cell is left empty with a warning.

ASVspoof 5, from the evaluation package's TSVs (metrics.json gets track1 and/or track2):

  spoofcm-eval --scores cm_score.tsv --cm-key cm_key.tsv --out DIR       # Track 1
  spoofcm-eval --sasv-scores sasv_score.tsv --sasv-key sasv_key.tsv --out DIR   # Track 2
"""
from __future__ import annotations

import argparse
import sys

from spoofcm.bin.argtypes import nonneg_int
from spoofcm.errors import cli_main
from spoofcm.metrics.pipeline import EvalInputs, env_path, evaluate
from spoofcm.metrics.report import summary_text


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scores", help="CM score file: 'trial score' per line (ASVspoof 5: "
                   "cm_score.tsv)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--keys", help="official ASVspoof 2021 keys folder")
    src.add_argument("--data", help="Kaldi data dir (utt2label, utt2attack, utt2cond)")
    p.add_argument("--track", choices=("LA", "DF"), help="required with --keys")
    p.add_argument("--subset", default="eval", choices=("eval", "progress", "hidden"))
    p.add_argument("--out", help="output folder (nothing is written without it)")
    p.add_argument("--asv-scores", help="ASV scores 'speaker trial score', same order as the key")
    p.add_argument("--asv-key", help="ASV trial key (default KEYS/LA/ASV/trial_metadata.txt)")
    p.add_argument("--dev-scores", help="dev CM scores, to fit the calibration")
    p.add_argument("--dev-data", help="dev data dir (its utt2label labels --dev-scores)")
    p.add_argument("--calibration", help="calibration JSON: written when fitting, else read")
    p.add_argument("--n-boot", type=nonneg_int, default=1000, help="bootstrap resamples (0: off)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="bootstrap seed")
    p.add_argument("--legacy-tdcf", action="store_true", help="also report the 2019 t-DCF")
    p.add_argument("--no-plots", action="store_true", help="skip det.png and hist.png")
    a5 = p.add_argument_group("ASVspoof 5 (evaluation-package TSVs)")
    a5.add_argument("--cm-key", help="Track 1 key cm_key.tsv (with --scores cm_score.tsv)")
    a5.add_argument("--sasv-scores", help="Track 2 scores sasv_score.tsv")
    a5.add_argument("--sasv-key", help="Track 2 key sasv_key.tsv")
    a5.add_argument("--track1-tables", action="store_true",
                    help="with --data: also write track1.json/.md (Track 1 metrics pooled, per "
                    "attack, per condition; calibrated when a calibration is fitted or given)")
    return p


def asvspoof5_main(args: argparse.Namespace) -> int:
    """The ASVspoof 5 mode: Track 1 and/or Track 2 metrics from the official TSVs."""
    from spoofcm.metrics.asvspoof5_eval import evaluate_asvspoof5, summary_lines

    result = evaluate_asvspoof5(env_path(args.scores), env_path(args.cm_key),
                                env_path(args.sasv_scores), env_path(args.sasv_key),
                                env_path(args.out))
    print("\n".join(summary_lines(result)))
    if args.out:
        print(f"Results written to {args.out}")
    return 0


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cm_key or args.sasv_scores or args.sasv_key:
        if args.keys or args.data:
            parser.error("--keys/--data (ASVspoof 2021) and the ASVspoof 5 options exclude "
                         "each other")
        return asvspoof5_main(args)
    if not args.scores or not (args.keys or args.data):
        parser.error("give --scores with --keys or --data (or the ASVspoof 5 options)")
    if args.track1_tables and not (args.data and args.out):
        parser.error("--track1-tables needs --data and --out")
    inp = EvalInputs(scores=env_path(args.scores), track=args.track, subset=args.subset,
                     keys=env_path(args.keys), data=env_path(args.data),
                     asv_scores=env_path(args.asv_scores), asv_key=env_path(args.asv_key))
    tables, result = evaluate(inp, out_dir=env_path(args.out), dev_scores=env_path(args.dev_scores),
                              dev_data=env_path(args.dev_data),
                              calib_path=env_path(args.calibration), n_boot=args.n_boot,
                              seed=args.seed, legacy_tdcf=args.legacy_tdcf,
                              plots=not args.no_plots)
    for msg in tables.warnings:
        print(f"spoofcm-eval: warning: {msg}", file=sys.stderr)
    print(summary_text(tables, args.track))
    if "eer_ci" in result:
        ci = result["eer_ci"]
        print(f"EER 95 % bootstrap interval: [{100 * ci['low']:.2f}, {100 * ci['high']:.2f}] % "
              f"({ci['n_boot']} resamples, seed {ci['seed']})")
    if "eval" in result.get("calibrated", {}):
        ev = result["calibrated"]["eval"]
        print(f"Calibrated: Cllr {ev['cllr']:.4f} bits, actual DCF {ev['actual_dcf']:.4f} "
              f"(min DCF {ev['min_dcf']:.4f})")
    if args.track1_tables:
        from spoofcm.metrics.asvspoof5_tables import tables_after_eval
        print(tables_after_eval(env_path(args.data), env_path(args.scores), env_path(args.out),
                                result, env_path(args.calibration)))
    if args.out:
        print(f"Results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
