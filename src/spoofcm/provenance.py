"""Where a number came from: the commit (and whether the tree had uncommitted changes), the
library versions, the CPU or GPU and the torch thread count.

The trainer records these in ``exp/<tag>/env.txt``; ``spoofcm-report`` prints them in every
RESULTS.md, so that two tables can be compared by a reader without guessing. CPU kernels differ
between machines and thread counts, so these are the facts a number depends on.
"""
from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class GitState:
    """The commit of a checkout and whether tracked or untracked files differ from it."""

    commit: str          # full hash, or "unknown" outside a git checkout
    dirty: bool | None   # None when git could not tell

    def describe(self) -> str:
        """``<hash>``, ``<hash>-dirty`` or ``unknown`` (the form env.txt records)."""
        if self.commit == "unknown":
            return "unknown"
        return self.commit + ("-dirty" if self.dirty else "")


def git_state(repo: str | os.PathLike = ROOT) -> GitState:
    """HEAD of ``repo`` and whether ``git status --porcelain`` lists anything."""
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return GitState("unknown", None)
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return GitState("unknown", None)
    dirty = None if status.returncode != 0 else bool(status.stdout.strip())
    return GitState(head.stdout.strip(), dirty)


def parse_git(described: str) -> GitState:
    """The inverse of :meth:`GitState.describe` (for env.txt's ``git:`` line)."""
    text = described.strip()
    if not text or text == "unknown":
        return GitState("unknown", None)
    if text.endswith("-dirty"):
        return GitState(text[: -len("-dirty")], True)
    return GitState(text, False)


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo``'s ``model name``), else what platform says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def gpu_name() -> str:
    """The first visible CUDA device's name, or ``none``."""
    try:
        import torch
    except ImportError:
        return "none"
    if not torch.cuda.is_available():
        return "none"
    names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return names[0] + (f" (x{len(names)})" if len(names) > 1 else "")


def torch_threads() -> int | None:
    """The intra-op thread count torch computes with now (None without torch)."""
    try:
        import torch
    except ImportError:
        return None
    return int(torch.get_num_threads())


def versions() -> dict[str, str]:
    """Python, torch and numpy versions (``absent`` for a missing library)."""
    out = {"python": sys.version.split()[0]}
    for mod in ("torch", "numpy"):
        try:
            out[mod] = str(importlib.import_module(mod).__version__)
        except (ImportError, AttributeError):
            out[mod] = "absent"
    return out


def machine() -> dict[str, str]:
    """The env.txt lines that say what computed: ``cpu``, ``gpu`` and ``threads``."""
    threads = torch_threads()
    return {"cpu": cpu_model(), "gpu": gpu_name(),
            "threads": "unknown" if threads is None else str(threads)}


def read_env_txt(path: str | os.PathLike) -> dict[str, str]:
    """``key: value`` lines of an ``exp/<tag>/env.txt`` (empty when the file is absent)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and key.strip() not in out:
            out[key.strip()] = value.strip()
    return out
