"""job_slice: contiguous, balanced, 1-based, covering every item exactly once."""
from __future__ import annotations

import pytest

from spoofcm.data.split import job_slice
from spoofcm.errors import SpoofcmError


@pytest.mark.parametrize("total,nj", [(10, 3), (7, 7), (3, 5), (0, 2), (1000, 13), (5, 1)])
def test_slices_partition_in_order_and_balance(total, nj):
    items = [f"utt{i:04d}" for i in range(total)]
    parts = [job_slice(items, j, nj) for j in range(1, nj + 1)]
    assert [x for p in parts for x in p] == items
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)  # the larger slices come first


def test_known_split():
    assert [job_slice(list("abcdefg"), j, 3) for j in (1, 2, 3)] == \
        [["a", "b", "c"], ["d", "e"], ["f", "g"]]


@pytest.mark.parametrize("job,nj", [(0, 3), (4, 3), (1, 0), (-1, 2)])
def test_bad_job_numbers_fail(job, nj):
    with pytest.raises(SpoofcmError):
        job_slice([1, 2, 3], job, nj)
