"""Argparse types for numeric options, shared by every program.

``type=float`` accepts ``nan``, ``inf`` and negative numbers; options such as
``--window-seconds`` or ``--nj`` make no sense there and failed later with a traceback or, worse,
silently (NaN windows, no bootstrap). These types reject such values while parsing, so argparse
prints its usual one line ``prog: error: argument --x: ...`` and exits 2 before anything runs.
"""
from __future__ import annotations

import argparse
import math


def _number(text: str, kind: type) -> float | int:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected {'an integer' if kind is int else 'a number'}, got '{text}'") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got '{text}'")
    return value


def positive_int(text: str) -> int:
    """An integer ≥ 1 (job counts, job numbers, threads)."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def nonneg_int(text: str) -> int:
    """An integer ≥ 0 (resample counts where 0 means off, seeds)."""
    value = int(_number(text, int))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (durations in seconds)."""
    value = float(_number(text, float))
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got '{text}'")
    return value
