"""Vectorised parsing of whitespace-separated text tables (keys, score files).

A key file is hundreds of thousands of lines; splitting it into Python strings costs seconds
and hundreds of MB. Here a block of lines is handled as one numpy byte array: token
boundaries come from a whitespace mask, each wanted column is gathered into a fixed-width
byte-string array, and identifiers are ordered through big-endian uint64 words (exactly the
byte order of a string sort, at the speed of an integer sort).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from spoofcm.errors import SpoofcmError, where
from spoofcm.textio import check_block

BLOCK_BYTES = 4 << 20


def text(value: bytes | np.bytes_) -> str:
    return bytes(value).decode("utf-8", "replace")


def _blocks(fh: BinaryIO) -> Iterator[bytes]:
    """Blocks of whole lines (the last line may lack its newline)."""
    rest = b""
    while True:
        block = fh.read(BLOCK_BYTES)
        if not block:
            if rest:
                yield rest
            return
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut]


def _tokens(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the tokens of a byte array (whitespace as bytes.split)."""
    tok = np.empty(a.size + 2, dtype=bool)
    tok[0] = tok[-1] = False
    np.logical_not((a == 32) | ((a - np.uint8(9)) <= 4), out=tok[1:-1])
    changes = np.flatnonzero(tok[1:] != tok[:-1])   # alternately a token start and an end
    return changes[0::2], changes[1::2]


def _single_spaced(a: np.ndarray, ncols: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Token (starts, ends), shaped (lines, ncols), when the block is in the common layout.

    Official keys and score files separate fields by exactly one space and end every line with
    a newline: then one pass (bytes below 33) finds every boundary, and the line structure is
    checked from those positions alone. Anything else (tabs, runs of spaces, blank lines, a
    wrong field count, control bytes) returns None and takes the general path, which also
    words the error.
    """
    sep = np.flatnonzero(a < 33)
    if sep.size == 0 or sep.size % ncols or a[-1] != 10 or sep[0] == 0:
        return None
    ch = a[sep]
    if not (np.all(ch[ncols - 1::ncols] == 10)
            and np.count_nonzero(ch == 32) == sep.size - sep.size // ncols):
        return None
    if np.any(np.diff(sep) == 1):   # an empty field
        return None
    starts = np.empty_like(sep)
    starts[0] = 0
    starts[1:] = sep[:-1] + 1
    return starts.reshape(-1, ncols), sep.reshape(-1, ncols)


def fields_per_line(block: bytes) -> np.ndarray:
    """Number of whitespace-separated fields on each line of ``block``."""
    a = np.frombuffer(block, dtype=np.uint8)
    starts, _ = _tokens(a)
    ends = np.flatnonzero(a == 10)
    if not block.endswith(b"\n"):
        ends = np.append(ends, a.size)
    return np.diff(np.searchsorted(starts, ends), prepend=0)


def _gather(padded: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Fixed-width byte strings padded[starts[i]:ends[i]] as one array of dtype S<w>.

    ``padded`` must extend at least w bytes beyond the last token. Rows are copied from a
    sliding-window view (one memcpy-like gather), then bytes past each token are zeroed.
    """
    lens = ends - starts
    w = max(int(lens.max()), 1)
    mat = sliding_window_view(padded[: int(ends.max()) + w], w)[starts]
    if int(lens.min()) != w:
        mat[np.arange(w)[None, :] >= lens[:, None]] = 0
    return mat.view(f"S{w}").ravel()


def read_columns(path: str | os.PathLike, ncols: int, wanted: tuple[int, ...]) -> list[np.ndarray]:
    """The ``wanted`` columns (byte-string arrays) of a file with exactly ``ncols`` fields a line."""
    path = Path(path)
    parts: list[list[np.ndarray]] = [[] for _ in wanted]
    first_line = 1
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: file not found") from None
    with fh:
        for block in _blocks(fh):
            block = check_block(path, block, first_line)  # BOM and UTF-8 (spoofcm.textio)
            a = np.frombuffer(block, dtype=np.uint8)
            simple = _single_spaced(a, ncols)
            if simple is not None:
                starts, ends = simple
            else:
                starts, ends = _general_fields(path, block, a, ncols, first_line)
            width = int((ends[:, list(wanted)] - starts[:, list(wanted)]).max())
            # the gather reads `width` bytes from each token start: pad only if that runs off
            padded = a if int(starts[:, list(wanted)].max()) + width <= a.size else \
                np.concatenate([a, np.zeros(width, dtype=np.uint8)])
            for dst, c in zip(parts, wanted):
                dst.append(_gather(padded, starts[:, c], ends[:, c]))
            first_line += starts.shape[0]
    if not parts[0]:
        raise SpoofcmError(f"{path}: empty file")
    return [np.concatenate(p) for p in parts]


def _general_fields(path: Path, block: bytes, a: np.ndarray, ncols: int,
                    first_line: int) -> tuple[np.ndarray, np.ndarray]:
    """Token (starts, ends) of any whitespace layout, shaped (lines, ncols), or the error."""
    starts, ends = _tokens(a)
    line_ends = np.flatnonzero(a == 10)
    if not block.endswith(b"\n"):
        line_ends = np.append(line_ends, a.size)
    counts = np.diff(np.searchsorted(starts, line_ends), prepend=0)
    bad = np.flatnonzero(counts != ncols)
    if bad.size:
        i = int(bad[0])
        line = block.split(b"\n")[i].rstrip()
        raise SpoofcmError(f"{where(path, first_line + i)}: expected {ncols} columns, got "
                           f"{counts[i]}: '{text(line)}'")
    return starts.reshape(-1, ncols), ends.reshape(-1, ncols)


def words(values: np.ndarray, width: int | None = None) -> np.ndarray:
    """(n, k) native uint64 words whose lexicographic order is the byte order of ``values``."""
    w = max(values.itemsize, width or 0)
    w = -(-w // 8) * 8
    padded = np.ascontiguousarray(values.astype(f"S{w}"))
    return padded.view(">u8").reshape(values.size, w // 8).astype(np.uint64)


def _mix(keys: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of a ``words`` matrix (multiply-xorshift mixing)."""
    h = np.zeros(keys.shape[0], dtype=np.uint64)
    for j in range(keys.shape[1]):
        h = (h ^ keys[:, j]) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(31)
    return h


def sort_order(keys: np.ndarray) -> np.ndarray:
    """An order (not stable) of the rows of a ``words`` matrix putting equal rows side by side.

    Multi-word rows are sorted by a 64-bit hash (one integer sort instead of a slow
    multi-key lexsort); if two different rows share a hash and land side by side, we fall
    back to the exact lexicographic order, so equal rows are always adjacent.
    """
    if keys.shape[1] == 1:
        return np.argsort(keys[:, 0])
    h = _mix(keys)
    order = np.argsort(h)
    hs, ks = h[order], keys[order]
    same_hash = hs[1:] == hs[:-1]
    if np.any(same_hash & np.any(ks[1:] != ks[:-1], axis=1)):
        return np.lexsort(keys.T[::-1])
    return order


def _factorize(h: np.ndarray, max_levels: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(index of the first row of each distinct value, code of each row) of a uint64 array.

    Key columns have a handful of levels, so one equality pass per level (O(n k)) beats a sort;
    beyond ``max_levels`` levels we sort (np.unique).
    """
    codes = np.full(h.size, -1, dtype=np.int64)
    first: list[int] = []
    start = 0
    while len(first) < max_levels:
        left = codes[start:] < 0
        j = int(left.argmax()) if left.size else 0
        if not left.size or not left[j]:
            return np.array(first, dtype=np.int64), codes
        i = start + j
        codes[h == h[i]] = len(first)
        first.append(i)
        start = i + 1
    _, idx, inverse = np.unique(h, return_index=True, return_inverse=True)
    return idx, inverse.ravel()


def encode(values: np.ndarray, known: tuple[str, ...] = ()) -> tuple[np.ndarray, list[str]]:
    """Integer codes of byte strings; names start with ``known`` (in order), then new ones."""
    first, inverse = _factorize(_mix(words(values)))
    if not np.array_equal(values, values[first][inverse]):   # a hash collision: exact path
        _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    found = [text(values[i]) for i in first]
    names = list(known) + sorted(n for n in set(found) if n not in known)
    lut = np.array([names.index(n) for n in found], dtype=np.int32)
    return lut[inverse], names

