"""spoofcm-report: the results tables of a recipe (stage 5), and publishing them.

  spoofcm-report --recipe-dir egs/mini                      # stage 5: exp/RESULTS.{md,json}
  spoofcm-report --recipe-dir egs/mini --publish [--replace]  # -> egs/mini/RESULTS.{md,json}

Stage 5 (run.sh) calls the first form after spoofcm-eval: it collects every
exp/<tag>/results/<set>/metrics.json, groups the experiments of a system over their seeds
(tags <system>_seed<N>), and writes exp/RESULTS.md (git-ignored) with every table as mean ±
sample sd over seeds, the paper's Tables I-III, a per-seed table and a provenance block
(commit and dirty flag, date, versions, CPU/GPU, training threads, corpus fingerprint), plus
exp/RESULTS.json, the snapshot it was rendered from.

A recipe run never touches the committed <recipe>/RESULTS.md. --publish copies the last
stage-5 snapshot into it: systems of that run replace their old rows (all seeds), other
systems' rows are kept with their own provenance, unless --replace drops them.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from spoofcm.errors import SpoofcmError, cli_main
from spoofcm.fsutil import atomic_write_text
from spoofcm.metrics.results import Snapshot, collect, merge, seeds_of, systems
from spoofcm.metrics.results_md import render, summary
from spoofcm.metrics.run_provenance import run_record

STAGE_MD, STAGE_JSON = Path("exp") / "RESULTS.md", Path("exp") / "RESULTS.json"
PUBLISHED_MD, PUBLISHED_JSON = Path("RESULTS.md"), Path("RESULTS.json")


def regenerate_command(recipe: Path, snapshot: Snapshot, exp_dir: Path | None = None) -> str:
    """The recipe command that reproduces a snapshot: its models and seeds (and, for an
    evaluation-only recipe, the training recipe's exp/)."""
    trained = [e for e in snapshot.entries
               if not e.tag.endswith("_pretrained") and not e.tag.startswith("fused_")]
    models = " ".join(dict.fromkeys(e.model for e in trained))
    seeds = sorted({s for sys_ in systems(snapshot.entries)
                    for s in seeds_of(snapshot.entries, sys_) if s is not None})
    cmd = f"egs/{recipe.resolve().name}/run.sh --models {shlex.quote(models)}"
    extra = sorted({e.tag.rsplit("_pretrained", 1)[0] for e in snapshot.entries
                    if e.tag.endswith("_pretrained")})
    if extra:  # the paths of imported releases are the user's
        cmd += " --pretrained " + shlex.quote(" ".join(f"{n}:PATH" for n in extra))
    if any(e.tag.startswith("fused_") for e in snapshot.entries):
        cmd += " --fuse '<the fused systems>'"
    if exp_dir is not None and exp_dir.resolve() != (recipe / "exp").resolve():
        where = exp_dir.resolve()
        cmd += " --expdir " + (f"egs/{where.parent.name}/exp" if where.name == "exp"
                               else shlex.quote(str(exp_dir)))
    return cmd + (f" --seeds {shlex.quote(' '.join(map(str, seeds)))}" if seeds else "")


def write_pair(md: Path, js: Path, snapshot: Snapshot, paper_tables: bool) -> None:
    """RESULTS.json then RESULTS.md, each atomically (the .md is rendered from the .json)."""
    atomic_write_text(js, snapshot.to_json())
    atomic_write_text(md, render(snapshot, paper_tables))


def stage5(recipe: Path, out: Path | None, command: str | None, paper_tables: bool,
           exp_dir: Path | None = None, sets: list[str] | None = None) -> None:
    entries = collect(recipe, exp_dir, sets)
    if not entries:
        pattern = f"*/results/{'{' + ','.join(sets) + '}' if sets else '*'}/metrics.json"
        where = f"{exp_dir}: no {pattern}" if exp_dir else f"{recipe}: no exp/{pattern}"
        raise SpoofcmError(f"{where} yet (run stage 5 first)")
    md = out or recipe / STAGE_MD
    plots = sorted(str(p.relative_to(md.parent)) for p in (md.parent / "plots").glob("*.png"))
    snapshot = Snapshot(entries, {}, f"Results: {recipe.resolve().name}", plots)
    command = command or regenerate_command(recipe, snapshot, exp_dir)
    run_id, record = run_record(recipe, entries, command)
    snapshot.runs[run_id] = record
    write_pair(md, md.with_suffix(".json"), snapshot, paper_tables)
    print(summary(entries))
    print(f"spoofcm-report: {len(entries)} result(s) of {len(systems(entries))} system(s) -> {md}"
          f"\nspoofcm-report: to publish them into {recipe / PUBLISHED_MD}: "
          f"spoofcm-report --recipe-dir {recipe} --publish")


def copy_plots(src_dir: Path, dst_dir: Path, plots: list[str]) -> None:
    """The figures a stage-5 snapshot links, copied beside the published RESULTS.md (same
    relative paths, so the links work in both places), each atomically."""
    import shutil

    from spoofcm.fsutil import atomic_path
    for rel in plots:
        src = src_dir / rel
        if not src.is_file():
            raise SpoofcmError(f"{src}: figure named by the stage-5 results is missing")
        with atomic_path(dst_dir / rel, suffix=".png") as tmp:
            shutil.copyfile(src, tmp)


def publish(recipe: Path, replace: bool, paper_tables: bool) -> None:
    src = recipe / STAGE_JSON
    if not src.is_file():
        raise SpoofcmError(f"{src}: not found; run stage 5 first (./run.sh --stage 5)")
    new = Snapshot.load(src)
    md, js = recipe / PUBLISHED_MD, recipe / PUBLISHED_JSON
    old = Snapshot.load(js) if js.is_file() else None
    if old is None and md.is_file() and not replace:
        raise SpoofcmError(f"{md}: has no {js.name} beside it (written before snapshots), so its "
                           "rows cannot be kept; pass --replace to overwrite it")
    merged, what = merge(old, new, replace)
    copy_plots(recipe / STAGE_MD.parent, recipe, new.plots)
    write_pair(md, js, merged, paper_tables)
    for key in ("added", "replaced", "kept", "dropped"):
        if what[key]:
            print(f"spoofcm-report: {key}: {', '.join(what[key])}")
    print(f"spoofcm-report: published {len(merged.entries)} result(s) -> {md}")


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spoofcm-report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe-dir", required=True, help="egs/<recipe> (holds exp/)")
    parser.add_argument("--out", type=Path, help="stage-5 Markdown file (default "
                        "<recipe-dir>/exp/RESULTS.md; the snapshot goes beside it as .json)")
    parser.add_argument("--exp-dir", type=Path, help="where the experiments are (default "
                        "<recipe-dir>/exp); an evaluation-only recipe (In-the-Wild) reports on "
                        "the training recipe's experiments into its own exp/RESULTS.md")
    parser.add_argument("--sets", help="space-separated evaluation sets to report (default: "
                        "every set with results)")
    parser.add_argument("--command", help="the command that regenerates the results, printed "
                        "in the provenance (default: the recipe's run.sh with --models/--seeds)")
    parser.add_argument("--no-paper-tables", action="store_true",
                        help="leave out the paper's Tables I-III")
    parser.add_argument("--paper-tables", action="store_true",
                        help="(default; kept for old command lines)")
    parser.add_argument("--publish", action="store_true", help="merge exp/RESULTS.json into "
                        "the committed <recipe-dir>/RESULTS.{md,json}")
    parser.add_argument("--replace", action="store_true", help="with --publish: drop the "
                        "published rows of systems this run did not train")
    args = parser.parse_args(argv)
    recipe = Path(args.recipe_dir)
    if not recipe.is_dir():
        raise SpoofcmError(f"{recipe}: recipe dir not found")
    if args.replace and not args.publish:
        raise SpoofcmError("--replace only applies with --publish")
    if args.publish:
        if args.out or args.command or args.exp_dir or args.sets:
            raise SpoofcmError("--publish writes <recipe-dir>/RESULTS.md; --out, --command, "
                               "--exp-dir and --sets belong to the stage-5 form")
        publish(recipe, args.replace, not args.no_paper_tables)
    else:
        stage5(recipe, args.out, args.command, not args.no_paper_tables, args.exp_dir,
               args.sets.split() if args.sets else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
