"""RESULTS.md from a results snapshot: the provenance of each run, every table as mean ± sample
sd over seeds (systems as rows), the paper's Tables I-III, then the per-seed numbers."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from spoofcm.metrics.paper import ablation_table, dev_table, paper_table, seeds_cell
from spoofcm.metrics.report import fmt
from spoofcm.metrics.results import (Entry, Snapshot, calibrated, config_of, md_table, pooled,
                                     rows_of, systems)
from spoofcm.metrics.run_provenance import provenance_markdown
from spoofcm.metrics.seedstats import fmt_stat, mean_sd

Getter = Callable[[Entry], "float | None"]
SUMMARY_COLUMNS: tuple[tuple[str, Getter, str], ...] = (
    ("EER (%)", lambda e: pooled(e, "eer"), "eer"),
    ("min t-DCF", lambda e: pooled(e, "min_tdcf"), "min_tdcf"),
    ("Cllr (cal.)", lambda e: calibrated(e, "cllr"), "cllr"),
    ("actual DCF (cal.)", lambda e: calibrated(e, "actual_dcf"), "actual_dcf"),
)
INTRO = ("EER in percent (official ASVspoof 2021 rule), min t-DCF revised 2021 form (LA only). "
         "Cllr and actual DCF are on scores calibrated on dev (see `spoofcm-eval --help`). "
         "Every cell is the **mean ± sample standard deviation over the seeds** of a system "
         "(n - 1 denominator); a system with one seed shows its single value. The numbers of "
         "each seed are in the per-seed tables below.\n")


def _eval_sets(entries: list[Entry]) -> list[str]:
    return sorted({e.eval_set for e in entries}, key=lambda s: (s != "dev", s))


def summary(entries: list[Entry]) -> str:
    """Systems x eval sets, pooled metrics as mean ± sd over seeds."""
    rows = []
    for system in systems(entries):
        for eval_set in _eval_sets(entries):
            got = rows_of(entries, system, eval_set)
            if not got:
                continue
            rows.append([system, got[0].model, seeds_cell(entries, system), eval_set]
                        + [fmt_stat(mean_sd(get(e) for e in got), metric)
                           for _, get, metric in SUMMARY_COLUMNS] + [config_of(entries, system)])
    return md_table(["system", "model", "seeds", "eval set"] + [c[0] for c in SUMMARY_COLUMNS]
                    + ["configuration"], rows)


def _ci(e: Entry) -> str:
    ci = e.metrics.get("eer_ci")
    return "" if not ci else f"[{100 * ci['low']:.2f}, {100 * ci['high']:.2f}]"


def per_seed(entries: list[Entry]) -> str:
    """One row per experiment (seed) and eval set: the numbers the means are made of."""
    rows = [[e.tag, e.system, "?" if e.seed is None else str(e.seed), e.eval_set,
             fmt(pooled(e, "eer"), "eer"), fmt(pooled(e, "min_tdcf"), "min_tdcf"), _ci(e),
             fmt_stat(mean_sd([calibrated(e, "cllr")]), "cllr"),
             fmt_stat(mean_sd([calibrated(e, "actual_dcf")]), "actual_dcf")]
            for e in entries]
    return md_table(["experiment", "system", "seed", "eval set", "EER (%)", "min t-DCF",
                   "EER 95 % CI", "Cllr (cal.)", "actual DCF (cal.)"], rows)


def breakdown(entries: list[Entry], table: str) -> str:
    """Systems x (attacks or conditions), mean ± sd over seeds, per eval set and metric."""
    out = []
    for eval_set in _eval_sets(entries):
        group = [e for e in entries if e.eval_set == eval_set]
        keys = list(dict.fromkeys(k for e in group for k in e.metrics.get(table) or {}))
        for metric in ("eer", "min_tdcf"):
            rows = []
            for system in systems(group):
                got = rows_of(group, system, eval_set)
                rows.append([system] + [fmt_stat(mean_sd(
                    ((e.metrics.get(table) or {}).get(k) or {}).get(metric) for e in got), metric)
                    for k in keys])
            if not keys or all(cell == "" for r in rows for cell in r[1:]):
                continue
            title = "EER (%)" if metric == "eer" else "min t-DCF"
            out.append(f"#### {eval_set}: {title}\n\n" + md_table(["system"] + keys, rows))
    return "\n".join(out)


def render(snapshot: Snapshot, paper_tables: bool = True) -> str:
    """The whole RESULTS.md text of a snapshot."""
    entries = snapshot.entries
    parts = [f"# {snapshot.title}\n", INTRO, provenance_markdown(snapshot.runs, entries),
             "## All systems (pooled, mean ± sd over seeds)\n", summary(entries)]
    if paper_tables:
        parts += ["## Table I — LA (ASVspoof 2021 LA eval)\n", paper_table(entries, "LA"),
                  "## Table II — ablations\n", ablation_table(entries),
                  "## Table III — DF (ASVspoof 2021 DF eval)\n", paper_table(entries, "DF"),
                  "Published figures are reference values from the cited sources, not our "
                  "results; '—' means no published figure is quoted here.\n"]
        dev = dev_table(entries)
        if dev:
            parts += ["## Dev (seen attacks, where checkpoints are selected)\n", dev]
    parts += ["## Per condition (codec / compression), mean ± sd over seeds\n",
              breakdown(entries, "per_condition"),
              "## Per attack (LA) / vocoder type (DF), mean ± sd over seeds\n",
              breakdown(entries, "per_attack"),
              "## Per seed (pooled)\n", per_seed(entries)]
    if snapshot.plots:
        parts += ["## Figures (first seed of each system)\n",
                  "\n".join(f"- [{Path(p).stem}]({p})" for p in snapshot.plots) + "\n"]
    return "\n".join(parts)
