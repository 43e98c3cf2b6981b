"""Linear logistic-regression fusion of several systems' scores (calibrated LLR out).

  spoofcm-fuse fit --dev-data data/dev --scores A/dev.txt B/dev.txt [--names A B] --out fusion.json
  spoofcm-fuse apply --fusion fusion.json --scores A/eval.txt B/eval.txt --out fused.txt

``fit`` learns ``llr = w_A s_A + w_B s_B + b`` on dev (class-balanced, as the calibration of
stage 5); ``apply`` writes the fused scores of another set (``trial llr``, in the first file's
order). Score files must list the same trials; the one that does not is named.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.errors import SpoofcmError, cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-fuse", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    fit = sub.add_parser("fit", help="fit the fusion on dev scores")
    fit.add_argument("--dev-data", required=True, type=Path, help="dev data dir (utt2label)")
    fit.add_argument("--scores", required=True, nargs="+", type=Path, help="dev score files")
    fit.add_argument("--names", nargs="+", help="system names (default: the score files)")
    fit.add_argument("--out", required=True, type=Path, help="fusion JSON to write")
    app = sub.add_parser("apply", help="apply a fitted fusion to score files")
    app.add_argument("--fusion", required=True, type=Path, help="fusion JSON from 'fit'")
    app.add_argument("--scores", required=True, nargs="+", type=Path,
                     help="score files, in the order of the fit")
    app.add_argument("--out", required=True, type=Path, help="fused score file to write")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from spoofcm.metrics.fusion import Fusion, fit_fusion_files, score_matrix
    if args.cmd == "fit":
        from spoofcm.data.datadir import read_map
        names = args.names or [str(p) for p in args.scores]
        if len(names) != len(args.scores):
            raise SpoofcmError(f"--names: {len(names)} names for {len(args.scores)} score files")
        labels = read_map(args.dev_data / "utt2label")
        fusion = fit_fusion_files(args.scores, labels, names, str(args.dev_data / "utt2label"))
        fusion.save(args.out)
        weights = ", ".join(f"{n}: {w:.4g}" for n, w in zip(names, fusion.weights))
        print(f"spoofcm-fuse: {args.out}: weights {weights}; offset {fusion.offset:.4g}",
              file=sys.stderr)
        return 0
    from spoofcm.infer.scoring import write_scores
    fusion = Fusion.load(args.fusion)
    if len(args.scores) != len(fusion.weights):
        raise SpoofcmError(f"{args.fusion}: fitted on {len(fusion.weights)} systems "
                           f"({' '.join(fusion.systems)}), given {len(args.scores)} score files")
    ids, matrix = score_matrix(args.scores)
    write_scores(args.out, ids, fusion.apply(matrix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
