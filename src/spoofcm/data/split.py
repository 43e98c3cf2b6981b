"""Splitting work into ``nj`` jobs, Kaldi style: contiguous, balanced, 1-based."""
from __future__ import annotations

from typing import Sequence, TypeVar

from spoofcm.errors import SpoofcmError

T = TypeVar("T")


def job_bounds(total: int, job: int, nj: int) -> tuple[int, int]:
    """``[start, end)`` of job ``job`` (1-based) of ``nj``; the first ``total % nj`` get one more.

    Contiguous slices keep each job's ark in the sorted order of the data dir, so merging the
    per-job scp files with ``sort`` reproduces the data dir's order.
    """
    if nj < 1:
        raise SpoofcmError(f"--nj must be >= 1, got {nj}")
    if not 1 <= job <= nj:
        raise SpoofcmError(f"--job must be in 1..{nj}, got {job}")
    base, extra = divmod(total, nj)
    start = (job - 1) * base + min(job - 1, extra)
    return start, start + base + (1 if job <= extra else 0)


def job_slice(items: Sequence[T], job: int, nj: int) -> list[T]:
    """The ``job``-th (1-based) of ``nj`` contiguous, size-balanced slices of ``items``."""
    start, end = job_bounds(len(items), job, nj)
    return list(items[start:end])
