"""spoofcm-report: write a recipe's RESULTS.md from every exp/*/results/*/metrics.json.

  spoofcm-report --recipe-dir egs/mini --out egs/mini/RESULTS.md [--paper-tables]

Tables every experiment x eval set (EER %, min t-DCF, bootstrap CI, calibrated Cllr and actual
DCF), per condition and per attack, stamped with date, git hash, Python and torch versions and
the command that regenerates it. --paper-tables adds Tables I-III of the paper (LA systems,
ablations, DF systems) with the published figures beside ours.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from spoofcm.errors import SpoofcmError, cli_main
from spoofcm.fsutil import atomic_write_text
from spoofcm.metrics.results import collect, render

REPO = Path(__file__).resolve().parents[3]


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spoofcm-report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe-dir", required=True, help="egs/<recipe> (holds exp/)")
    parser.add_argument("--out", help="output Markdown file (default <recipe-dir>/RESULTS.md)")
    parser.add_argument("--paper-tables", action="store_true", help="add the paper's Tables I-III")
    parser.add_argument("--command", help="the command that regenerates the file, printed in it "
                        "(run.sh passes the recipe invocation; default: this spoofcm-report call)")
    args = parser.parse_args(argv)
    recipe = Path(args.recipe_dir)
    if not recipe.is_dir():
        raise SpoofcmError(f"{recipe}: recipe dir not found")
    entries = collect(recipe)
    if not entries:
        raise SpoofcmError(f"{recipe}: no exp/*/results/*/metrics.json yet (run stage 5 first)")
    out = Path(args.out) if args.out else recipe / "RESULTS.md"
    argv_used = sys.argv[1:] if argv is None else argv
    command = args.command or "spoofcm-report " + " ".join(shlex.quote(a) for a in argv_used)
    title = f"Results: {recipe.resolve().name}"
    atomic_write_text(out, render(entries, title, command, REPO, args.paper_tables))
    print(f"spoofcm-report: {len(entries)} result(s) -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
