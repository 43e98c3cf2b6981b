"""Recipe-level results: collect every ``exp/*/results/*/metrics.json`` into RESULTS.md.

The tables are generated, never typed: each number comes from a metrics.json written by
``spoofcm-eval``. Published figures appear only in clearly labelled *reference* columns.
"""
from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from spoofcm.errors import SpoofcmError
from spoofcm.metrics.report import fmt
from spoofcm.models.registry import model_names
from spoofcm.tracks import EVAL_SET_TRACK
from spoofcm.metrics.resultset import is_result_dir

#: model names in the paper's table order (the registry's order)
MODELS = tuple(model_names())
ABLATIONS = ("ssl_cbam_resnet18", "fusion_resnet18", "fusion_cbam_resnet18")
SRC_PAPER = "the paper"
SRC_2021 = "ASVspoof 2021 summary paper (as reported; not re-verified here)"
SRC_SSL = "Tak et al., Odyssey 2022 (as reported; not re-verified here)"
#: published reference figures: model -> track -> (EER %, min t-DCF or None, source)
PUBLISHED: dict[str, dict[str, tuple[float, float | None, str]]] = {
    "fusion_cbam_resnet18": {"LA": (4.12, 0.3008, SRC_PAPER), "DF": (5.34, None, SRC_PAPER)},
    "fusion_resnet18": {"DF": (3.90, None, SRC_PAPER)},
    "lfcc_gmm": {"LA": (19.30, 0.5758, SRC_2021), "DF": (25.25, None, SRC_2021)},
    "cqcc_gmm": {"LA": (15.62, 0.4974, SRC_2021), "DF": (25.56, None, SRC_2021)},
    "lfcc_lcnn": {"LA": (9.26, 0.3445, SRC_2021), "DF": (23.48, None, SRC_2021)},
    "rawnet2": {"LA": (9.50, 0.4257, SRC_2021), "DF": (22.38, None, SRC_2021)},
    "ssl_aasist": {"LA": (0.82, 0.2066, SRC_SSL), "DF": (2.85, None, SRC_SSL)},
}


@dataclass
class Entry:
    """One evaluated (experiment, eval set) pair."""

    tag: str
    model: str
    eval_set: str
    track: str | None
    metrics: dict[str, Any]
    config: str = ""  # model.config_name: which named configuration ran (e.g. lfcc_gmm_2021)


def model_section(exp_dir: Path) -> dict[str, Any]:
    """The ``model`` section of an experiment's config.yaml ({} without one)."""
    cfg = exp_dir / "config.yaml"
    if not cfg.is_file():
        return {}
    try:
        return (yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}).get("model") or {}
    except yaml.YAMLError as exc:
        raise SpoofcmError(f"{cfg}: not valid YAML ({exc})") from None


def model_of(exp_dir: Path) -> str:
    """The model name of an experiment: config.yaml's model.name, else the tag's known prefix."""
    name = model_section(exp_dir).get("name")
    if name:
        return str(name)
    matches = [m for m in MODELS if exp_dir.name == m or exp_dir.name.startswith(m + "_")]
    return max(matches, key=len) if matches else exp_dir.name


def collect(recipe_dir: str | Path) -> list[Entry]:
    """Every metrics.json of a recipe, sorted by experiment then eval set."""
    entries = []
    for path in sorted(Path(recipe_dir).glob("exp/*/results/*/metrics.json")):
        if not is_result_dir(path.parent):  # a hidden folder of an unfinished spoofcm-eval
            continue
        try:
            metrics = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SpoofcmError(f"{path}: not valid JSON ({exc})") from None
        exp_dir, eval_set = path.parents[2], path.parent.name
        track = EVAL_SET_TRACK.get(eval_set, metrics.get("track"))
        entries.append(Entry(exp_dir.name, model_of(exp_dir), eval_set, track, metrics,
                             str(model_section(exp_dir).get("config_name") or "")))
    return entries


def _pooled(e: Entry, key: str) -> float | None:
    return (e.metrics.get("pooled") or {}).get(key)


def _ci(e: Entry) -> str:
    ci = e.metrics.get("eer_ci")
    return "" if not ci else f"[{100 * ci['low']:.2f}, {100 * ci['high']:.2f}]"


def _calibrated(e: Entry, key: str) -> str:
    cal = (e.metrics.get("calibrated") or {}).get("eval") or {}
    return "" if key not in cal else f"{cal[key]:.4f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def overview(entries: list[Entry]) -> str:
    rows = [[e.tag, e.model, e.eval_set, fmt(_pooled(e, "eer"), "eer"),
             fmt(_pooled(e, "min_tdcf"), "min_tdcf"), _ci(e), _calibrated(e, "cllr"),
             _calibrated(e, "actual_dcf"), e.config] for e in entries]
    return _table(["experiment", "model", "eval set", "EER (%)", "min t-DCF", "EER 95 % CI",
                   "Cllr (cal.)", "actual DCF (cal.)", "configuration"], rows)


def breakdown(entries: list[Entry], table: str) -> str:
    """Experiments x (attacks or conditions) EER table (and min t-DCF where present), per set."""
    out = []
    for eval_set in sorted({e.eval_set for e in entries}):
        group = [e for e in entries if e.eval_set == eval_set]
        keys = list(dict.fromkeys(k for e in group for k in e.metrics.get(table, {})))
        for metric in ("eer", "min_tdcf"):
            rows = [[e.tag] + [fmt((e.metrics[table].get(k) or {}).get(metric), metric)
                               for k in keys] for e in group]
            if all(cell == "" for r in rows for cell in r[1:]):
                continue
            title = "EER (%)" if metric == "eer" else "min t-DCF"
            out.append(f"#### {eval_set}: {title}\n\n" + _table(["experiment"] + keys, rows))
    return "\n".join(out)


def _published(model: str, track: str) -> tuple[str, str, str]:
    ref = PUBLISHED.get(model, {}).get(track)
    if ref is None:
        return "—", "—", ""
    eer, tdcf, src = ref
    return f"{eer:.2f}", ("—" if tdcf is None else f"{tdcf:.4f}"), src


def paper_table(entries: list[Entry], track: str, models: tuple[str, ...]) -> str:
    """Our pooled numbers beside the published ones, one row per model (and per experiment)."""
    rows = []
    for model in models:
        mine = [e for e in entries if e.model == model and e.track == track]
        p_eer, p_tdcf, src = _published(model, track)
        for e in mine or [None]:
            ours = ["not run", ""] if e is None else [fmt(_pooled(e, "eer"), "eer"),
                                                      fmt(_pooled(e, "min_tdcf"), "min_tdcf")]
            row = [model, "" if e is None else e.tag, ours[0]]
            row += [ours[1], p_eer, p_tdcf] if track == "LA" else [p_eer]
            rows.append(row + [src, "" if e is None else e.config])
    head = ["model", "experiment", "EER (%) ours"]
    head += ["min t-DCF ours", "EER (%) published", "min t-DCF published"] if track == "LA" \
        else ["EER (%) published"]
    return _table(head + ["published source", "configuration"], rows)


def ablation_table(entries: list[Entry]) -> str:
    rows = []
    for model in ABLATIONS:
        cells = [model]
        for track in ("LA", "DF"):
            e = next((x for x in entries if x.model == model and x.track == track), None)
            p_eer, p_tdcf, _ = _published(model, track)
            cells += [fmt(_pooled(e, "eer"), "eer") if e else "not run"]
            if track == "LA":
                cells += [fmt(_pooled(e, "min_tdcf"), "min_tdcf") if e else "", p_eer, p_tdcf]
            else:
                cells += [p_eer]
        rows.append(cells)
    return _table(["system", "LA EER (%) ours", "LA min t-DCF ours", "LA EER (%) paper",
                   "LA min t-DCF paper", "DF EER (%) ours", "DF EER (%) paper"], rows)


def stamp(command: str, repo: Path) -> str:
    """Date, git hash and versions, so a RESULTS.md says what produced it."""
    try:
        git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, text=True,
                             capture_output=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        git = "unknown"
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    import numpy

    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"Generated {date} · git {git} · Python {platform.python_version()} · torch "
            f"{torch_version} · numpy {numpy.__version__}\n\nRegenerate with: `{command}`\n")


def render(entries: list[Entry], title: str, command: str, repo: Path,
           paper_tables: bool = False) -> str:
    """The whole RESULTS.md text."""
    parts = [f"# {title}\n", stamp(command, repo),
             "EER in percent (official ASVspoof 2021 rule), min t-DCF revised 2021 form (LA only)."
             " Cllr and actual DCF are on scores calibrated on dev (see `spoofcm-eval --help`).\n",
             "## All experiments (pooled)\n", overview(entries)]
    if paper_tables:
        parts += ["## Table I — LA (ASVspoof 2021 LA eval)\n", paper_table(entries, "LA", MODELS),
                  "## Table II — ablations\n", ablation_table(entries),
                  "## Table III — DF (ASVspoof 2021 DF eval)\n", paper_table(entries, "DF", MODELS),
                  "Published figures are reference values from the cited sources, not our "
                  "results; '—' means no published figure is quoted here.\n"]
    parts += ["## Per condition (codec / compression)\n", breakdown(entries, "per_condition"),
              "## Per attack (LA) / vocoder type (DF)\n", breakdown(entries, "per_attack")]
    return "\n".join(parts)
