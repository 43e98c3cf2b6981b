"""One policy for reading the text files users hand us (maps, protocols, keys, score files).

* a UTF-8 byte-order mark at the start of a file is dropped (editors on Windows add one; it
  would otherwise become part of the first utterance or speaker id);
* a line ending in CR LF is read as if it ended in LF (the CR is removed, never kept in a value);
* bytes that are not UTF-8 stop the reader with ``file:line: not UTF-8 text`` (a Latin-1 file
  must be converted, e.g. ``iconv -f latin1 -t utf-8``), never a ``UnicodeDecodeError``.

The shell tools (utils/fix_data_dir.sh, utils/split_scp) apply the same rules through
utils/lib/SpoofcmText.pm, so Python and shell agree on every file.
"""
from __future__ import annotations

import json
import os
from typing import Any, Iterator

from spoofcm.errors import SpoofcmError, where

BOM = b"\xef\xbb\xbf"


def not_utf8(path: str | os.PathLike, line: int, exc: UnicodeDecodeError) -> SpoofcmError:
    """The error for a line that is not UTF-8, with the offending byte and column."""
    byte = exc.object[exc.start:exc.start + 1].hex()
    return SpoofcmError(f"{where(path, line)}: not UTF-8 text (byte 0x{byte} at column "
                        f"{exc.start + 1}); convert the file, e.g. iconv -f latin1 -t utf-8")


def decode_line(path: str | os.PathLike, line_no: int, raw: bytes) -> str:
    """One raw line (with or without its end of line) as text, under the policy above."""
    if line_no == 1 and raw.startswith(BOM):
        raw = raw[len(BOM):]
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, line_no, exc) from None


def read_lines(path: str | os.PathLike, what: str = "file") -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of every line, end of line removed; ``what`` names the file in
    the not-found message (e.g. "protocol/key file")."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise SpoofcmError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with fh:
        for n, raw in enumerate(fh, 1):
            yield n, decode_line(path, n, raw)


def check_block(path: str | os.PathLike, block: bytes, first_line: int) -> bytes:
    """For block readers (metrics.fastio): drop a BOM at the file's start and check that the
    block is UTF-8, naming the first bad line. CRs need no work there: they are whitespace."""
    if first_line == 1 and block.startswith(BOM):
        block = block[len(BOM):]
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + block.count(b"\n", 0, exc.start)
        start = block.rfind(b"\n", 0, exc.start) + 1
        end = block.find(b"\n", exc.start)
        raw = block[start:end if end >= 0 else len(block)]
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as inner:
            raise not_utf8(path, line, inner) from None
    return block


def read_json(path: str | os.PathLike, missing: str = "", obj: bool = False) -> Any:
    """A JSON file we wrote or were given, with one-line errors naming it: not found (plus the
    ``missing`` hint), not valid JSON, or (``obj``) not a JSON object."""
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: not found{missing}") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise SpoofcmError(f"{path}: not valid JSON ({exc})") from None
    if obj and not isinstance(value, dict):
        raise SpoofcmError(f"{path}: expected a JSON object")
    return value
