"""RESULTS.md from a results snapshot: the provenance of each run, every table as mean ± sample
sd over seeds (systems as rows), the paper's Tables I-III, then the per-seed numbers."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

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


def _groups(entries: list[Entry]) -> Iterator[tuple[str, str, list[Entry]]]:
    """(system, eval set, the seeds' entries) in table order, for the pairs that exist."""
    for system in systems(entries):
        for eval_set in _eval_sets(entries):
            got = rows_of(entries, system, eval_set)
            if got:
                yield system, eval_set, got


def summary(entries: list[Entry]) -> str:
    """Systems x eval sets, pooled metrics as mean ± sd over seeds."""
    rows = [[system, got[0].model, seeds_cell(entries, system), eval_set]
            + [fmt_stat(mean_sd(get(e) for e in got), metric) for _, get, metric in SUMMARY_COLUMNS]
            + [config_of(entries, system)] for system, eval_set, got in _groups(entries)]
    return md_table(["system", "model", "seeds", "eval set"] + [c[0] for c in SUMMARY_COLUMNS]
                    + ["configuration"], rows)


def _ci(e: Entry) -> str:
    ci = e.metrics.get("eer_ci")
    return "" if not ci else f"[{100 * ci['low']:.2f}, {100 * ci['high']:.2f}]"


def per_seed(entries: list[Entry]) -> str:
    """One row per experiment (seed) and eval set: the numbers the means are made of."""
    rows = [[e.tag, e.system, e.seed_text, e.eval_set,
             fmt(pooled(e, "eer"), "eer"), fmt(pooled(e, "min_tdcf"), "min_tdcf"), _ci(e),
             fmt_stat(mean_sd([calibrated(e, "cllr")]), "cllr"),
             fmt_stat(mean_sd([calibrated(e, "actual_dcf")]), "actual_dcf")]
            for e in entries]
    return md_table(["experiment", "system", "seed", "eval set", "EER (%)", "min t-DCF",
                   "EER 95 % CI", "Cllr (cal.)", "actual DCF (cal.)"], rows)


TITLES = {"eer": "EER (%)", "min_tdcf": "min t-DCF", "min_dcf": "min DCF (ASVspoof 5 Track 1)"}


def breakdown(entries: list[Entry], table: str, metrics: tuple[str, ...] = ("eer", "min_tdcf"),
              source: Callable[[Entry], dict] | None = None, label: str = "") -> str:
    """Systems x (attacks or conditions), mean ± sd over seeds, per eval set and metric
    (``source``: where an entry keeps its tables, default its metrics.json part; ``label``
    ends the headings)."""
    source = source or (lambda e: e.metrics)
    out = []
    for eval_set in _eval_sets(entries):
        group = [e for e in entries if e.eval_set == eval_set]
        keys = list(dict.fromkeys(k for e in group for k in source(e).get(table) or {}))
        for metric in metrics:
            rows = []
            for system in systems(group):
                got = rows_of(group, system, eval_set)
                rows.append([system] + [fmt_stat(mean_sd(
                    ((source(e).get(table) or {}).get(k) or {}).get(metric) for e in got), metric)
                    for k in keys])
            if not keys or all(cell == "" for r in rows for cell in r[1:]):
                continue
            out.append(f"#### {eval_set}: {TITLES[metric]}{label}\n\n"
                       + md_table(["system"] + keys, rows))
    return "\n".join(out)


T1_COLUMNS = (("min DCF", "min_dcf", "min_dcf"), ("EER (%)", "eer", "eer"),
              ("Cllr", "cllr", "cllr"), ("actual DCF", "act_dcf", "actual_dcf"))


def track1_section(entries: list[Entry]) -> str:
    """The ASVspoof 5 Track 1 metrics (organisers' definitions) of the sets that have them:
    pooled as mean ± sd over seeds, then min DCF per attack and per condition."""
    with_t1 = [e for e in entries if "track1" in e.metrics]
    rows = [[system, seeds_cell(entries, system), eval_set,
             "/".join(sorted({str(e.metrics["track1"].get("scores", "?")) for e in got}))]
            + [fmt_stat(mean_sd(e.metrics["track1"]["pooled"].get(key) for e in got), fmt_as)
               for _, key, fmt_as in T1_COLUMNS]
            for system, eval_set, got in _groups(with_t1)]
    track1 = lambda e: e.metrics.get("track1") or {}  # noqa: E731
    return "\n".join([
        "## ASVspoof 5 Track 1 metrics (pooled, mean ± sd over seeds)\n",
        "The organisers' definitions (min DCF and actual DCF with their cost model, Cllr in bits, "
        "EER), on scores calibrated with the training recipe's dev map where one was fitted "
        "(`calibrated`; `raw` otherwise). Per experiment: `exp/<tag>/results/<set>/track1.md`.\n",
        md_table(["system", "seeds", "eval set", "scores"] + [c[0] for c in T1_COLUMNS], rows),
        breakdown(with_t1, "per_attack", ("min_dcf",), track1, ", per attack"),
        breakdown(with_t1, "per_condition", ("min_dcf",), track1, ", per condition")])


def render(snapshot: Snapshot, paper_tables: bool = True) -> str:
    """The whole RESULTS.md text of a snapshot."""
    entries = snapshot.entries
    parts = [f"# {snapshot.title}\n", INTRO, provenance_markdown(snapshot.runs, entries),
             "## All systems (pooled, mean ± sd over seeds)\n", summary(entries)]
    if any("track1" in e.metrics for e in entries):
        parts += [track1_section(entries)]
    if paper_tables and any(e.track in ("LA", "DF") for e in entries):
        parts += ["## Table I — LA (ASVspoof 2021 LA eval)\n", paper_table(entries, "LA"),
                  "## Table II — ablations\n", ablation_table(entries),
                  "## Table III — DF (ASVspoof 2021 DF eval)\n", paper_table(entries, "DF"),
                  "Published figures are reference values from the cited sources, not our "
                  "results; '—' means no published figure is quoted here.\n"]
        dev = dev_table(entries)
        if dev:
            parts += ["## Dev (seen attacks, where checkpoints are selected)\n", dev]
    parts += ["## Per condition (codec / compression; speaker for In-the-Wild), mean ± sd "
              "over seeds\n",
              breakdown(entries, "per_condition"),
              "## Per attack (LA) / vocoder type (DF), mean ± sd over seeds\n",
              breakdown(entries, "per_attack"),
              "## Per seed (pooled)\n", per_seed(entries)]
    if snapshot.plots:
        parts += ["## Figures (first seed of each system)\n",
                  "\n".join(f"- [{Path(p).stem}]({p})" for p in snapshot.plots) + "\n"]
    return "\n".join(parts)
