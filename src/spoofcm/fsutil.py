"""Atomic writes and done markers: every stage output appears whole or not at all.

Writes go to a temporary file beside the target, which is fsynced before it is renamed onto
the target, and the directory is fsynced after, so a crash (power loss included) leaves the old
file or the new one, never an empty one. A failed write (a full disk, a read-only file system)
becomes one line naming the target and the OS error, ``PATH: no space left on device``, and the
temporary file is removed, so a rerun never finds half a file.
"""
from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
from pathlib import Path
from typing import Iterator

from spoofcm.errors import SpoofcmError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def os_error(exc: OSError, path: str | os.PathLike) -> SpoofcmError:
    """``PATH: no space left on device`` (the OS error, lower case) for a failed write."""
    reason = (exc.strerror or str(exc)).lower() if isinstance(exc, OSError) else str(exc)
    return SpoofcmError(f"{path}: {reason}")


def write_failure(exc: BaseException, path: str | os.PathLike) -> SpoofcmError:
    """Name the path and the cause of a failed write that a library reported without errno
    (torch.save raises RuntimeError 'basic_ios::clear' or 'PytorchStreamWriter failed')."""
    if isinstance(exc, OSError):
        return os_error(exc, path)
    if _full(Path(path)):
        return SpoofcmError(f"{path}: {os.strerror(errno.ENOSPC).lower()}")
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return SpoofcmError(f"{path}: cannot write ({first})")


def fsync_file(path: str | os.PathLike) -> None:
    """Flush a written file's data to disk (before it is renamed into place)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename in ``path`` durable (no-op where directories cannot be fsynced)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    The temporary file lives in the same directory so the final ``os.replace`` is atomic; it is
    fsynced first and the directory after. A write error inside the block (OSError, or a
    library's RuntimeError on a full disk) is re-raised as a one-line SpoofcmError naming
    ``path``; the temporary file is removed in every case.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp",
                                   dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise os_error(exc, path) from None
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
        except OSError as exc:
            if exc.filename not in (None, str(tmp_path), tmp_path):
                raise  # not this file's write: let the caller's own handling see it
            raise os_error(exc, path) from None
        except RuntimeError as exc:
            if not _full(path):
                raise
            raise write_failure(exc, path) from None
        try:
            # mkstemp makes 0600 files; give outputs the permissions a plain open() would.
            os.chmod(tmp_path, 0o666 & ~_UMASK)
            fsync_file(tmp_path)
            os.replace(tmp_path, path)
        except OSError as exc:
            raise os_error(exc, path) from None
        fsync_dir(path.parent)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _full(path: Path) -> bool:
    """Less than 1 MiB left for ``path`` (what a write error without errno most likely means)."""
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


def remove_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Delete the hidden temporary files :func:`atomic_path` left beside ``path`` when a run
    was killed (``kill -9`` skips every cleanup); returns what was removed. Call it only where
    no other process writes ``path`` at the same time (a sharded job owns its part files)."""
    path = Path(path)
    removed = []
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*"):
        if stale.is_file():
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def is_done(marker: str | os.PathLike) -> bool:
    """True when a unit of work has left its done marker."""
    return Path(marker).is_file()


def mark_done(marker: str | os.PathLike, info: str = "") -> None:
    """Leave a done marker (written atomically) after a unit of work has finished."""
    atomic_write_text(marker, info + ("\n" if info and not info.endswith("\n") else ""))
