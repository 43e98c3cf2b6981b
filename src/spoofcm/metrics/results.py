"""Recipe-level results: every ``exp/<tag>/results/<set>/metrics.json`` of a recipe, grouped by
system over seeds, and the snapshot (``RESULTS.json``) that RESULTS.md is rendered from.

The tables are generated, never typed: each number comes from a metrics.json written by
``spoofcm-eval``. run.sh names each seed's experiment ``<system>_seed<N>`` (``<system>`` =
``<model>_<train-config>[_<tag-suffix>]``), so the seeds of a system are the experiments that
differ only in that suffix. Published figures live in :mod:`spoofcm.metrics.paper`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spoofcm.errors import SpoofcmError
from spoofcm.metrics.decisions import calibration_problem
from spoofcm.metrics.resultset import is_result_dir
from spoofcm.models.registry import model_names
from spoofcm.provenance import read_env_txt
from spoofcm.textio import read_json
from spoofcm.tracks import EVAL_SET_TRACK

#: model names in the paper's table order (the registry's order)
MODELS = tuple(model_names())
SNAPSHOT_FORMAT = "spoofcm-results/1"
SEED_TAG = re.compile(r"^(?P<system>.+)_seed(?P<seed>\d+)$")
#: env["model_kind"] of an imported release (spoofcm-import-aasist writes no env.txt)
PRETRAINED = "pretrained release"
#: env.txt keys kept per experiment (what the provenance block reports)
ENV_KEYS = ("git", "python", "torch", "numpy", "cpu", "gpu", "threads", "model_kind")
#: metrics.json keys the tables read (the rest stays in exp/)
METRIC_KEYS = ("track", "subset", "n_bonafide", "n_spoof", "pooled", "per_attack",
               "per_condition", "eer_ci")


@dataclass
class Entry:
    """One evaluated (experiment, eval set) pair."""

    tag: str
    model: str
    eval_set: str
    track: str | None
    metrics: dict[str, Any]
    system: str = ""
    seed: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    run: str = ""
    config: str = ""  # config_label: named configuration (e.g. lfcc_gmm_2021), weights' origin

    def __post_init__(self) -> None:
        if not self.system:
            self.system, self.seed = split_seed(self.tag)

    @property
    def non_neural(self) -> bool:
        return self.env.get("model_kind") == "non-neural"

    @property
    def pretrained(self) -> bool:
        """An imported release: scored here, never trained here (no seed, no training env)."""
        return self.env.get("model_kind") == PRETRAINED

    @property
    def seed_text(self) -> str:
        """The seed as the tables print it: ``—`` for an imported release, ``?`` when the tag
        names none."""
        return "—" if self.pretrained else "?" if self.seed is None else str(self.seed)


def split_seed(tag: str) -> tuple[str, int | None]:
    """``fusion_cbam_resnet18_mini_seed2`` -> (``fusion_cbam_resnet18_mini``, 2); a tag without
    a seed suffix is a system of its own with an unknown seed."""
    m = SEED_TAG.match(tag)
    return (m["system"], int(m["seed"])) if m else (tag, None)


def exp_config(exp_dir: Path) -> dict[str, Any]:
    """An experiment's config.yaml ({} without one)."""
    cfg = exp_dir / "config.yaml"
    if not cfg.is_file():
        return {}
    try:
        loaded = yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SpoofcmError(f"{cfg}: not valid YAML ({exc})") from None
    if not isinstance(loaded, dict):
        raise SpoofcmError(f"{cfg}: not a mapping of config sections")
    return loaded


def config_label(cfg: dict[str, Any]) -> str:
    """What the tables show beside a system: the named configuration (model.config_name) and
    where its weights came from when not from training here alone: an imported release (not
    trained on this corpus) or the experiment it was fine-tuned from."""
    parts = [str((cfg.get("model") or {}).get("config_name") or "")]
    release = cfg.get("pretrained") or {}
    init_from = (cfg.get("train") or {}).get("init_from")
    if release.get("release"):
        trained_on = f", trained on {release['trained_on']}" if release.get("trained_on") else ""
        parts.append(f"pretrained release {release['release']}{trained_on}; not trained here")
    elif init_from:
        parts.append(f"fine-tuned from {Path(str(init_from)).name}")
    return "; ".join(p for p in parts if p)


def model_of(exp_dir: Path, cfg: dict[str, Any] | None = None) -> str:
    """The model name of an experiment: config.yaml's model.name (``cfg``: that file, already
    read), else the tag's known prefix."""
    cfg = exp_config(exp_dir) if cfg is None else cfg
    name = (cfg.get("model") or {}).get("name")
    if name:
        return str(name)
    matches = [m for m in MODELS if exp_dir.name == m or exp_dir.name.startswith(m + "_")]
    return max(matches, key=len) if matches else exp_dir.name


def slim(metrics: dict[str, Any]) -> dict[str, Any]:
    """The part of a metrics.json the tables use (pooled, breakdowns, CI, calibrated eval)."""
    out = {k: metrics[k] for k in METRIC_KEYS if k in metrics}
    fit = metrics.get("calibrated") or {}
    cal = fit.get("eval")
    if isinstance(fit.get("a"), (int, float)) and calibration_problem(fit["a"], fit.get("b", 0.0)):
        cal = None  # metrics.json of an older spoofcm-eval: an unusable map's "calibrated" eval
    if cal:
        out["calibrated"] = {"eval": {k: cal[k] for k in ("cllr", "actual_dcf") if k in cal}}
    return out


def track1_of(result_dir: Path) -> dict[str, Any] | None:
    """The ASVspoof 5 Track 1 tables of a result folder (``track1.json``, written by
    ``spoofcm-eval --track1-tables``): pooled and per condition, and whether the scores were
    calibrated; None for the 2021 tracks, which have none."""
    path = result_dir / "track1.json"
    if not path.is_file():
        return None
    t1 = read_json(path, obj=True)
    if not isinstance(t1.get("pooled"), dict):
        raise SpoofcmError(f"{path}: expected a JSON object with a 'pooled' table")
    return {k: t1[k] for k in ("scores", "pooled", "per_attack", "per_condition") if k in t1}


def collect(recipe_dir: str | Path, exp_dir: str | Path | None = None,
            sets: Iterable[str] | None = None) -> list[Entry]:
    """Every metrics.json of a recipe (``exp_dir``: default <recipe>/exp; an evaluation-only
    recipe reads the training recipe's), sorted by experiment then eval set; ``sets`` keeps
    only those evaluation sets (so that each recipe reports the sets it evaluated)."""
    entries = []
    facts: dict[Path, tuple[str, dict[str, str], str]] = {}
    keep = None if sets is None else set(sets)
    root = Path(exp_dir) if exp_dir is not None else Path(recipe_dir) / "exp"
    for path in sorted(root.glob("*/results/*/metrics.json")):
        if not is_result_dir(path.parent):  # an unfinished (or killed) spoofcm-eval
            continue
        if keep is not None and path.parent.name not in keep:
            continue
        metrics = read_json(path, obj=True)
        exp, eval_set = path.parents[2], path.parent.name
        if exp not in facts:   # config.yaml and env.txt once per experiment, not per set
            facts[exp] = _experiment_facts(exp)
        model, env, label = facts[exp]
        track = EVAL_SET_TRACK.get(eval_set, metrics.get("track"))
        kept = slim(metrics)
        t1 = track1_of(path.parent)
        if t1 is not None:
            kept["track1"] = t1
        entries.append(Entry(exp.name, model, eval_set, track, kept, env=dict(env),
                             config=label))
    return entries


def _experiment_facts(exp: Path) -> tuple[str, dict[str, str], str]:
    """(model name, the env.txt keys the report keeps, configuration label) of one experiment;
    an imported release (config ``pretrained.release``) is marked as such in the env."""
    cfg = exp_config(exp)
    env = read_env_txt(exp / "env.txt")
    if (cfg.get("pretrained") or {}).get("release"):
        env.setdefault("model_kind", PRETRAINED)
    return model_of(exp, cfg), {k: env[k] for k in ENV_KEYS if k in env}, config_label(cfg)


def model_rank(model: str) -> int:
    return MODELS.index(model) if model in MODELS else len(MODELS)


def systems(entries: list[Entry]) -> list[str]:
    """System names in the paper's model order, then by name."""
    first = {}
    for e in entries:
        first.setdefault(e.system, e.model)
    return sorted(first, key=lambda s: (model_rank(first[s]), s))


def seeds_of(entries: list[Entry], system: str) -> list[int | None]:
    """The seeds of a system, sorted (None, a tag without seed, first)."""
    found = {e.seed for e in entries if e.system == system}
    return sorted(found, key=lambda s: -1 if s is None else s)


def _entry_from_dict(d: dict[str, Any], where: str) -> Entry:
    try:
        return Entry(tag=str(d["tag"]), model=str(d["model"]), eval_set=str(d["eval_set"]),
                     track=d.get("track"), metrics=dict(d["metrics"]), system=str(d["system"]),
                     seed=None if d.get("seed") is None else int(d["seed"]),
                     env=dict(d.get("env") or {}), run=str(d.get("run", "")),
                     config=str(d.get("config", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise SpoofcmError(f"{where}: malformed entry ({exc!r})") from None


@dataclass
class Snapshot:
    """What a RESULTS.md is rendered from: entries plus the provenance of each run."""

    entries: list[Entry]
    runs: dict[str, dict[str, Any]]
    title: str = "Results"
    #: figures beside the Markdown file (``plots/det_<set>.png``...), relative to it
    plots: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"format": SNAPSHOT_FORMAT, "title": self.title, "runs": self.runs,
                           "plots": self.plots,
                           "entries": [asdict(e) for e in self.entries]}, indent=1) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> "Snapshot":
        path = Path(path)
        data = read_json(path)
        if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
            raise SpoofcmError(f"{path}: not a spoofcm results snapshot "
                               f"(expected format '{SNAPSHOT_FORMAT}')")
        entries = [_entry_from_dict(d, str(path)) for d in data.get("entries") or []]
        runs = dict(data.get("runs") or {})
        missing = sorted({e.run for e in entries} - set(runs))
        if missing:
            raise SpoofcmError(f"{path}: entries name unknown run(s) {', '.join(missing)}")
        return cls(entries, runs, str(data.get("title") or "Results"),
                   [str(p) for p in data.get("plots") or []])


def merge(published: Snapshot | None, new: Snapshot, replace: bool) -> tuple[Snapshot, dict]:
    """``new`` over ``published``: every system of ``new`` replaces that system's rows (all its
    seeds); other published systems stay unless ``replace``. Returns the merged snapshot and
    ``{"added": [...], "replaced": [...], "kept": [...], "dropped": [...]}``."""
    new_systems = set(systems(new.entries))
    old_systems = set(systems(published.entries)) if published else set()
    kept = [] if (replace or published is None) else \
        [e for e in published.entries if e.system not in new_systems]
    entries = kept + new.entries
    order = {s: i for i, s in enumerate(systems(entries))}
    entries.sort(key=lambda e: (order[e.system], -1 if e.seed is None else e.seed, e.eval_set))
    used = {e.run for e in entries}
    runs = {k: v for k, v in {**(published.runs if published else {}), **new.runs}.items()
            if k in used}
    summary = {"added": sorted(new_systems - old_systems),
               "replaced": sorted(new_systems & old_systems),
               "kept": sorted({e.system for e in kept}),
               "dropped": sorted(old_systems - new_systems - {e.system for e in kept})}
    return Snapshot(entries, runs, new.title, list(new.plots or (published.plots if published
                                                                  else []))), summary


def md_table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (RESULTS.md)."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def config_of(entries: list[Entry], system: str) -> str:
    """The configuration label of a system (see config_label), '' when it has none."""
    return next((e.config for e in entries if e.system == system and e.config), "")


def pooled(e: Entry, key: str) -> float | None:
    """A pooled metric of one entry ('eer' or 'min_tdcf')."""
    return (e.metrics.get("pooled") or {}).get(key)


def calibrated(e: Entry, key: str) -> float | None:
    """A metric of the dev-calibrated eval scores ('cllr' or 'actual_dcf')."""
    return ((e.metrics.get("calibrated") or {}).get("eval") or {}).get(key)


def rows_of(entries: list[Entry], system: str, eval_set: str) -> list[Entry]:
    """The seeds' entries of one system on one eval set."""
    return [e for e in entries if e.system == system and e.eval_set == eval_set]
