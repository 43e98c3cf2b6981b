"""Reading feature scp files without running what they say.

Kaldi's convention (which kaldiio follows) is that an scp entry ending in ``|`` is a shell
command whose output is the matrix: a ``feats.scp`` copied from elsewhere could run anything.
spoofcm writes no such entries, so they are refused, naming file and line, unless the user
opts in for the process with the environment variable ``SPOOFCM_ALLOW_PIPES=1`` (it reaches
every job that run.pl / slurm.pl / queue.pl start). ``-`` (standard input) is refused too.
"""
from __future__ import annotations

import os
from typing import Any

from spoofcm.errors import SpoofcmError, where
from spoofcm.textio import read_lines

ALLOW_PIPES_ENV = "SPOOFCM_ALLOW_PIPES"


def pipes_allowed() -> bool:
    return os.environ.get(ALLOW_PIPES_ENV, "") == "1"


def check_scp(path: str | os.PathLike) -> list[str]:
    """The keys of ``path``; a command entry (``... |``) or ``-`` is a one-line error unless
    ``SPOOFCM_ALLOW_PIPES=1``."""
    keys = []
    allow = pipes_allowed()
    for n, line in read_lines(path):
        parts = line.strip().split(None, 1)
        if not parts:
            continue
        keys.append(parts[0])
        value = parts[1].strip() if len(parts) > 1 else ""
        if not allow and (value.endswith("|") or value == "-"):
            raise SpoofcmError(f"{where(path, n)}: entry of '{parts[0]}' is a shell command "
                               f"('{value[:60]}'), refused; if you trust this file, set "
                               f"{ALLOW_PIPES_ENV}=1")
    return keys


def load_scp(path: str | os.PathLike) -> Any:
    """``kaldiio.load_scp`` after :func:`check_scp` (lazy, random access by key)."""
    import kaldiio

    check_scp(path)
    return kaldiio.load_scp(str(path))
