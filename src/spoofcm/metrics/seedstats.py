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
    of: int = 0           # seeds asked for (missing values included); 0 = n


def mean_sd(values: Iterable[float | None]) -> Stat | None:
    """Mean and sample sd of the non-missing values; None when there are none."""
    given = list(values)
    xs = [float(v) for v in given if v is not None and not math.isnan(float(v))]
    if not xs:
        return None
    mean = sum(xs) / len(xs)
    if len(xs) < 2:
        return Stat(mean, None, 1, len(given))
    var = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)
    return Stat(mean, math.sqrt(var), len(xs), len(given))


def scale_digits(metric: str) -> tuple[float, int]:
    """EER is printed in percent with 2 decimals, every other metric as is with 4."""
    return (100.0, 2) if metric == "eer" else (1.0, 4)


def fmt_stat(stat: Stat | None, metric: str) -> str:
    """``3.54 ± 0.61`` (EER in %), ``3.54`` for one seed, empty when missing; a cell that only
    some of its seeds have says so, ``1.0288 (1 of 3 seeds)``, so it is not read as all of
    them (an unusable dev calibration, say, leaves a seed without calibrated metrics)."""
    if stat is None:
        return ""
    scale, digits = scale_digits(metric)
    text = f"{scale * stat.mean:.{digits}f}"
    if stat.sd is not None:
        text = f"{text} ± {scale * stat.sd:.{digits}f}"
    return text if stat.n >= stat.of else f"{text} ({stat.n} of {stat.of} seeds)"
