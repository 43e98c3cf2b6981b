"""Text forms of the result tables: Markdown (official layout) and the metrics.json dict.

Layout follows the official scorer: rows are attacks (LA) or vocoder types (DF), columns are
codecs (LA, printed C1…C7) or compressions (DF, printed C1…C9), each with a ``Pooled`` margin.
EER is printed in percent with 2 decimals, min t-DCF with 4; empty cells stay blank.
"""
from __future__ import annotations

from typing import Any

from spoofcm.metrics.decompose import POOLED, Tables
from spoofcm.metrics.keys import DF_COMPRESSIONS, DF_VOCODERS, LA_CODECS

DF_ROW_TAGS = dict(zip(DF_VOCODERS, ("Traditional", "Wav.Concat.", "Neural AR", "Neural non-AR",
                                      "Unknown")))
OFFICIAL_COLS = {"LA": LA_CODECS, "DF": DF_COMPRESSIONS}


def col_tags(tables: Tables, track: str | None) -> list[str]:
    """Printed column tags: C1… for the official codecs/compressions, names otherwise."""
    official = OFFICIAL_COLS.get(track or "", ())
    return [f"C{official.index(c) + 1}" if c in official else c for c in tables.cols]


def row_tags(tables: Tables, track: str | None) -> list[str]:
    return [DF_ROW_TAGS.get(r, r) if track == "DF" else r for r in tables.rows]


def fmt(value: float | None, metric: str) -> str:
    if value is None:
        return ""
    return f"{100 * value:.2f}" if metric == "eer" else f"{value:.4f}"


def markdown_grid(tables: Tables, metric: str, track: str | None) -> str:
    """The full row x column table of ``metric`` ('eer' or 'min_tdcf') in Markdown."""
    grid = tables.eer if metric == "eer" else tables.min_tdcf
    if grid is None:
        return ""
    tags = col_tags(tables, track)
    lines = ["| | " + " | ".join(tags) + " |", "|---" * (len(tags) + 1) + "|"]
    for row, rtag in zip(tables.rows, row_tags(tables, track)):
        lines.append(f"| {rtag} | " + " | ".join(fmt(grid[row][c], metric) for c in tables.cols)
                     + " |")
    legend = ", ".join(f"{t} = {c}" for t, c in zip(tags, tables.cols) if t != c)
    title = "EER (%)" if metric == "eer" else "min t-DCF"
    return f"{title}\n\n" + "\n".join(lines) + (f"\n\n{legend}\n" if legend else "\n")


def _margin_table(tables: Tables, names: list[str], tags: list[str], by_row: bool) -> str:
    head = "| attack | EER (%) | min t-DCF | bona fide | spoof |" if by_row else \
        "| condition | EER (%) | min t-DCF | bona fide | spoof |"
    lines = [head, "|---|---|---|---|---|"]
    for name, tag in zip(names, tags):
        r, c = (name, POOLED) if by_row else (POOLED, name)
        tdcf = None if tables.min_tdcf is None else tables.min_tdcf[r][c]
        nb, ns = tables.counts[r][c]
        label = tag if tag == name else f"{tag} ({name})"
        lines.append(f"| {label} | {fmt(tables.eer[r][c], 'eer')} | {fmt(tdcf, 'min_tdcf')} "
                     f"| {nb} | {ns} |")
    return "\n".join(lines) + "\n"


def per_attack_markdown(tables: Tables, track: str | None) -> str:
    body = _margin_table(tables, tables.rows, row_tags(tables, track), by_row=True)
    grids = "\n".join(g for g in (markdown_grid(tables, "eer", track),
                                  markdown_grid(tables, "min_tdcf", track)) if g)
    return f"# Results per attack\n\n{body}\n## Attack x condition\n\n{grids}"


def per_condition_markdown(tables: Tables, track: str | None) -> str:
    body = _margin_table(tables, tables.cols, col_tags(tables, track), by_row=False)
    return f"# Results per condition\n\n{body}"


def _cell(tables: Tables, r: str, c: str) -> dict[str, float | None]:
    return {"eer": tables.eer[r][c],
            "min_tdcf": None if tables.min_tdcf is None else tables.min_tdcf[r][c]}


def metrics_dict(tables: Tables, track: str | None, subset: str | None,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The docs/formats.md metrics.json object; full tables and extras under additional keys."""
    pooled_c012 = None if tables.c012 is None else tables.c012[POOLED][POOLED]
    n_bona, n_spoof = tables.counts[POOLED][POOLED]
    out: dict[str, Any] = {
        "track": track, "subset": subset, "n_bonafide": n_bona, "n_spoof": n_spoof,
        "pooled": _cell(tables, POOLED, POOLED),
        "per_attack": {r: _cell(tables, r, POOLED) for r in tables.rows if r != POOLED},
        "per_condition": {c: _cell(tables, POOLED, c) for c in tables.cols if c != POOLED},
        "c012": None if pooled_c012 is None else list(pooled_c012),
        "cells": {"rows": tables.rows, "cols": tables.cols, "eer": tables.eer,
                  "min_tdcf": tables.min_tdcf,
                  "c012": None if tables.c012 is None else
                  {r: {c: (None if v is None else list(v)) for c, v in row.items()}
                   for r, row in tables.c012.items()},
                  "counts": {r: {c: list(v) for c, v in row.items()}
                             for r, row in tables.counts.items()}},
        "warnings": list(tables.warnings),
    }
    out.update(extra or {})
    return out


def summary_text(tables: Tables, track: str | None) -> str:
    """What spoofcm-eval prints: pooled numbers, then the official-layout tables."""
    p = tables.pooled
    lines = [f"Pooled EER: {fmt(p['eer'], 'eer') or 'n/a'} %"]
    if tables.min_tdcf is not None:
        lines.append(f"Pooled min t-DCF: {fmt(p['min_tdcf'], 'min_tdcf') or 'n/a'}")
    lines.append("")
    for metric in ("min_tdcf", "eer"):
        grid = markdown_grid(tables, metric, track)
        if grid:
            lines.append(grid)
    return "\n".join(lines)
