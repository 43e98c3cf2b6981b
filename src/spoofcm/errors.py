"""One error type for bad user input, and a wrapper that turns it into a one-line message.

Stage programs raise :class:`SpoofcmError` with the file (and line) at fault; `cli_main`
prints ``<prog>: error: <message>`` and exits 1 instead of a traceback, because users of
recipes read logs, not stack frames. An OSError no code named (a full disk, a permission
problem) is printed the same way: ``<prog>: error: PATH: no space left on device``.
"""
from __future__ import annotations

import functools
import os
import sys
import warnings
from typing import Callable


class SpoofcmError(Exception):
    """A problem with the user's input (file, config, arguments), reported in one line."""


def where(path: str | os.PathLike, line: int | None = None) -> str:
    """Format ``file`` or ``file:line`` for error messages."""
    return f"{path}:{line}" if line is not None else str(path)


def one_line_warnings(prog: str) -> None:
    """Show every warning as ``<prog>: warning: <message>`` on one line (the message names
    the file at fault), not Python's source file, line number and source line."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = f"{prog}: warning: {str(message).splitlines()[0] if str(message) else category.__name__}"
        try:
            from tqdm import tqdm
            tqdm.write(text, file=sys.stderr)
        except ImportError:
            print(text, file=sys.stderr)

    warnings.showwarning = show


def cli_main(func: Callable[..., int | None]) -> Callable[..., int]:
    """Decorate a program's ``main`` so SpoofcmError becomes a one-line error and exit code 1,
    and warnings print as one line each."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> int:
        prog = os.path.basename(sys.argv[0]) or "spoofcm"
        one_line_warnings(prog)
        try:
            rc = func(*args, **kwargs)
        except SpoofcmError as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:  # a failed read or write the program did not name itself
            where_ = f"{exc.filename}: " if exc.filename else ""
            print(f"{prog}: error: {where_}{(exc.strerror or str(exc)).lower()}",
                  file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        return int(rc or 0)

    return wrapper
