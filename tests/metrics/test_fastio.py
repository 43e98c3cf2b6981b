"""Vectorised text parsing agrees with plain Python splitting, sorting and factorising."""
from __future__ import annotations

import numpy as np
import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.metrics import fastio


def test_read_columns_matches_split(tmp_path):
    rng = np.random.default_rng(0)
    lines = [f"spk{rng.integers(100)}  id_{i}\t{'x' * int(rng.integers(1, 40))} {rng.normal():.6f}"
             for i in range(5000)]
    path = tmp_path / "t.txt"
    path.write_text("\n".join(lines) + "\n")
    fastio.BLOCK_BYTES, old = 10_000, fastio.BLOCK_BYTES   # force many blocks
    try:
        cols = fastio.read_columns(path, 4, (1, 2, 3))
    finally:
        fastio.BLOCK_BYTES = old
    want = [line.split() for line in lines]
    for got, c in zip(cols, (1, 2, 3)):
        assert [g.decode() for g in got] == [w[c] for w in want]


def test_read_columns_reports_line_across_blocks(tmp_path):
    lines = ["a b"] * 3000 + ["a b c"] + ["a b"] * 10
    (tmp_path / "t.txt").write_text("\n".join(lines))
    fastio.BLOCK_BYTES, old = 1000, fastio.BLOCK_BYTES
    try:
        with pytest.raises(SpoofcmError, match=r"t.txt:3001: expected 2 columns, got 3"):
            fastio.read_columns(tmp_path / "t.txt", 2, (0,))
    finally:
        fastio.BLOCK_BYTES = old


def test_sort_order_groups_equal_ids_and_words_order_is_byte_order():
    rng = np.random.default_rng(1)
    ids = np.array([f"LA_E_{v}".encode() for v in rng.integers(0, 3000, 4000)])
    keys = fastio.words(ids)
    order = fastio.sort_order(keys)
    srt = ids[order]
    runs = srt[1:] != srt[:-1]
    assert runs.sum() + 1 == np.unique(ids).size     # equal ids are contiguous
    exact = np.lexsort(keys.T[::-1])
    assert list(ids[exact]) == sorted(ids.tolist())   # words sort like bytes


@pytest.mark.parametrize("levels", [3, 200])
def test_encode_known_names_first(levels):
    rng = np.random.default_rng(2)
    values = np.array([f"v{int(x)}".encode() for x in rng.integers(0, levels, 3000)])
    codes, names = fastio.encode(values, ("v1", "zzz"))
    assert names[:2] == ["v1", "zzz"]
    assert [names[c] for c in codes] == [v.decode() for v in values]


@pytest.mark.parametrize("sep", [" ", "  ", "\t"])
def test_single_spaced_fast_path_agrees_with_general_path(tmp_path, sep, monkeypatch):
    rng = np.random.default_rng(1)
    lines = [sep.join([f"LA_{rng.integers(70):04d}", f"DF_E_{i}", "x" * int(rng.integers(1, 9)),
                       f"{rng.normal():.6f}"]) for i in range(3000)]
    path = tmp_path / "k.txt"
    path.write_text("\n".join(lines) + "\n")
    want = [[w[c] for w in (ln.split() for ln in lines)] for c in (0, 1, 2, 3)]
    calls = []
    general = fastio._general_fields
    monkeypatch.setattr(fastio, "_general_fields", lambda *a: calls.append(1) or general(*a))
    got = fastio.read_columns(path, 4, (0, 1, 2, 3))
    assert [[g.decode() for g in col] for col in got] == want
    assert bool(calls) == (sep != " ")     # one space: the one-pass path; else the general one


@pytest.mark.parametrize("body,line", [("a b\n\nc d\n", 2), ("a b\nc d e\n", 2), ("a b\nc\n", 2),
                                       ("a b\n c d\n", 2)])
def test_single_spaced_errors_still_name_the_line(tmp_path, body, line):
    path = tmp_path / "bad.txt"
    path.write_text(body)
    if body == "a b\n c d\n":   # a leading space is only whitespace: the line is fine
        assert [c.tolist() for c in fastio.read_columns(path, 2, (0, 1))] == [[b"a", b"c"], [b"b", b"d"]]
        return
    with pytest.raises(SpoofcmError, match=f"bad.txt:{line}: expected 2 columns"):
        fastio.read_columns(path, 2, (0, 1))
