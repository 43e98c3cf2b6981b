"""The provenance block of a RESULTS.md: for each run that produced rows, the commit and
whether the tree was dirty, the date, Python/torch/numpy versions, CPU model or GPU name, the
training thread count and the corpus fingerprint, so two tables can be compared by a reader.

Training facts (versions, CPU/GPU, threads, training commit) come from each experiment's
``env.txt``; the report's own commit and date from the process that runs stage 5; the corpus
from ``data/corpus_fingerprint.json`` written at stage 0.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spoofcm.data.fingerprint import read_fingerprint
from spoofcm.metrics.results import Entry
from spoofcm.provenance import ROOT, cpu_model, git_state, gpu_name, parse_git, versions

NOT_RECORDED = "not recorded"


def _distinct(entries: list[Entry], key: str) -> dict[str, int]:
    """Value -> number of experiments, over the trained experiments (not eval sets, not
    imported releases) of ``entries``."""
    per_exp = {e.tag: e.env.get(key, NOT_RECORDED) for e in entries if not e.pretrained}
    return dict(Counter(per_exp.values()).most_common())


def run_record(recipe_dir: str | Path, entries: list[Entry], command: str,
               repo: str | Path = ROOT, now: datetime | None = None) -> tuple[str, dict[str, Any]]:
    """``(run id, record)`` for the rows of one stage-5 run; sets ``entry.run`` on each."""
    state = git_state(repo)
    now = now or datetime.now(timezone.utc)
    corpus = read_fingerprint(Path(recipe_dir) / "data")
    record: dict[str, Any] = {
        "date": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "commit": state.commit, "dirty": state.dirty,
        "report_versions": versions(),
        "report_machine": {"cpu": cpu_model(), "gpu": gpu_name()},
        "command": command,
        "corpus": None if corpus is None else
        {"sha256": corpus["sha256"],
         "sets": {k: v.get("utterances") for k, v in (corpus.get("sets") or {}).items()}},
    }
    for key in ("git", "python", "torch", "numpy", "cpu", "gpu", "threads"):
        record[f"train_{key}"] = _distinct(entries, key)
    imported = sorted({e.tag for e in entries if e.pretrained})
    if imported:
        record["pretrained"] = imported
    # content-addressed: two runs get one id only when every recorded fact is the same
    run_id = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:10]
    for e in entries:
        e.run = run_id
    return run_id, record


def _counted(values: dict[str, int], total: int) -> str:
    if len(values) == 1:
        return next(iter(values))
    return ", ".join(f"{v} ({n} of {total} experiments)" for v, n in values.items())


def _commit_text(record: dict[str, Any]) -> str:
    commit = record.get("commit", "unknown")
    dirty = record.get("dirty")
    if commit == "unknown":
        return "unknown (not a git checkout)"
    state = ("tree dirty: uncommitted changes" if dirty else
             "tree clean" if dirty is False else "dirty: unknown")
    return f"`{commit[:12]}` ({state})"


def _train_commits(record: dict[str, Any], total: int) -> str:
    parts = []
    for described, n in (record.get("train_git") or {}).items():
        if described == NOT_RECORDED:
            parts.append(f"not recorded ({n})")
            continue
        g = parse_git(described)
        parts.append(f"`{g.commit[:12]}`{' dirty' if g.dirty else ''} ({n} of {total})")
    return ", ".join(parts) or NOT_RECORDED


def _versions(record: dict[str, Any], total: int) -> str:
    out = []
    for key, label in (("python", "Python"), ("torch", "torch"), ("numpy", "numpy")):
        values = record.get(f"train_{key}") or {}
        if not values or set(values) == {NOT_RECORDED}:
            out.append(f"{label} {record['report_versions'].get(key, '?')} (report process)")
        else:
            out.append(f"{label} {_counted(values, total)}")
    return " · ".join(out)


def _device(record: dict[str, Any], total: int) -> str:
    gpus = {k: v for k, v in (record.get("train_gpu") or {}).items() if k not in ("none",)}
    cpus = record.get("train_cpu") or {}
    if gpus and set(gpus) != {NOT_RECORDED}:
        return "GPU " + _counted(gpus, total)
    if cpus and set(cpus) != {NOT_RECORDED}:
        return "CPU " + _counted(cpus, total)
    return f"CPU {record['report_machine']['cpu']} (report process; training did not record it)"


def _corpus(record: dict[str, Any]) -> str:
    corpus = record.get("corpus")
    if not corpus:
        return "not recorded (stage 0 writes data/corpus_fingerprint.json: spoofcm-fingerprint)"
    sets = ", ".join(f"{k} {n}" for k, n in corpus["sets"].items())
    return f"sha256 `{corpus['sha256'][:16]}` ({sets} utterances)"


def provenance_markdown(runs: dict[str, dict[str, Any]], entries: list[Entry]) -> str:
    """The ``## Provenance`` section: one bullet list per run, naming its systems."""
    lines = ["## Provenance\n"]
    for run_id, record in runs.items():
        mine = [e for e in entries if e.run == run_id]
        total = len({e.tag for e in mine if not e.pretrained})
        systems = ", ".join(dict.fromkeys(e.system for e in mine))
        threads = _counted(record.get("train_threads") or {NOT_RECORDED: total}, total)
        lines += [f"Run `{run_id}` — systems: {systems}\n",
                  f"- report written at commit {_commit_text(record)}, {record['date']}"]
        if total:
            lines += [f"- trained at commit {_train_commits(record, total)}",
                      f"- {_versions(record, total)}",
                      f"- {_device(record, total)} · torch threads in training: {threads}"]
        if record.get("pretrained"):
            lines.append(f"- imported releases, scored here and not trained here: "
                         f"{', '.join(record['pretrained'])} (origin, checksum and licence in "
                         f"each experiment's config.yaml `pretrained` section)")
        lines += [f"- corpus: {_corpus(record)}",
                  f"- regenerate: `{record.get('command', '')}`", ""]
    return "\n".join(lines)
