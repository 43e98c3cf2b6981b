"""Compare systems on one eval set in two figures:

  spoofcm-plot --results exp/*/results/eval_la21 --keys KEYS --det det_eval_la21.png \\
               [--attacks attacks_eval_la21.png] [--proposed TAG]

``--det``: every system's DET curve on one plot (normal-deviate axes, 0.1-60 %, EER points
marked, EERs in the legend), scores labelled by the key spoofcm-eval used (``--keys`` for the
LA/DF eval sets, ``--data`` for a data dir such as dev). ``--attacks``: per-attack EERs of the
proposed system (``--proposed``, default: the fusion_cbam_resnet18 experiment) against the
baseline with the lowest pooled EER, from the metrics.json files. A system is named by its
experiment (``exp/<tag>``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.errors import SpoofcmError, cli_main

PROPOSED_MODEL = "fusion_cbam_resnet18"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-plot", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--results", required=True, nargs="+", type=Path,
                   help="exp/<tag>/results/<set> folders of one eval set")
    key = p.add_mutually_exclusive_group()
    key.add_argument("--keys", help="official ASVspoof 2021 keys folder (LA/DF eval sets)")
    key.add_argument("--data", help="Kaldi data dir labelling the trials (e.g. data/dev)")
    p.add_argument("--det", type=Path, help="combined DET plot to write (PNG)")
    p.add_argument("--attacks", type=Path, help="per-attack EER bar chart to write (PNG)")
    p.add_argument("--proposed", help="experiment tag of the proposed system")
    p.add_argument("--title", help="figure title (default: the eval set)")
    return p


def pick_proposed(exp_dirs: list[Path], given: str | None) -> str:
    """``--proposed``, else the experiment of the paper's system, else the first one."""
    names = [d.name for d in exp_dirs]
    if given is not None:
        if given not in names:
            raise SpoofcmError(f"--proposed {given}: not among the systems ({', '.join(names)})")
        return given
    from spoofcm.metrics.results import model_of
    return next((d.name for d in exp_dirs if model_of(d) == PROPOSED_MODEL), names[0])


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from spoofcm.metrics import compare_plots as cp
    if args.det is None and args.attacks is None:
        raise SpoofcmError("nothing to draw: give --det and/or --attacks")
    sets = {d.name for d in args.results}
    if len(sets) > 1:
        raise SpoofcmError(f"--results: folders of several eval sets ({', '.join(sorted(sets))})")
    exp_dirs = [d.resolve().parents[1] for d in args.results]
    names = [d.name for d in exp_dirs]
    if len(set(names)) != len(names):
        raise SpoofcmError("--results: an experiment is given twice")
    metrics = {n: cp.read_metrics(d) for n, d in zip(names, args.results)}
    title = args.title or next(iter(sets))
    if args.det is not None:
        systems = {n: cp.system_scores(d, metrics[n], args.keys, args.data)
                   for n, d in zip(names, args.results)}
        for pt in cp.det_overlay_png(systems, args.det, f"DET curves, {title}"):
            print(f"{pt.system}: EER {100 * pt.eer:.2f} %", file=sys.stderr)
    if args.attacks is not None:
        proposed = pick_proposed(exp_dirs, args.proposed)
        baseline = cp.best_baseline(metrics, proposed)
        shown = {proposed: cp.per_attack_eers(metrics[proposed])}
        if baseline is not None:
            shown[f"{baseline} (best baseline)"] = cp.per_attack_eers(metrics[baseline])
        cp.attack_bars_png(shown, args.attacks, f"EER per attack, {title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
