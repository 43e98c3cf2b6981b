"""Mean ± sample standard deviation over seeds, the form every RESULTS.md table reports.

One seed selected on dev is not a result: CPU kernels, thread counts and GPUs change the
numbers of a neural system from run to run, so a system is trained with several seeds and
reported as the mean with the sample standard deviation (n - 1 in the denominator). With one
seed no deviation can be given and the cell shows the single value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Stat:
    """Summary of one metric over the seeds that have it."""

    mean: float
    sd: float | None      # None with fewer than two values
    n: int


def mean_sd(values: Iterable[float | None]) -> Stat | None:
    """Mean and sample sd of the non-missing values; None when there are none."""
    xs = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not xs:
        return None
    mean = sum(xs) / len(xs)
    if len(xs) < 2:
        return Stat(mean, None, 1)
    var = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)
    return Stat(mean, math.sqrt(var), len(xs))


def scale_digits(metric: str) -> tuple[float, int]:
    """EER is printed in percent with 2 decimals, every other metric as is with 4."""
    return (100.0, 2) if metric == "eer" else (1.0, 4)


def fmt_stat(stat: Stat | None, metric: str) -> str:
    """``3.54 ± 0.61`` (EER in %), ``3.54`` for one seed, empty when missing."""
    if stat is None:
        return ""
    scale, digits = scale_digits(metric)
    text = f"{scale * stat.mean:.{digits}f}"
    return text if stat.sd is None else f"{text} ± {scale * stat.sd:.{digits}f}"
