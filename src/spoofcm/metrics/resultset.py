"""Result folders that are all of one run, or absent (spoofcm-eval's ``--out``).

A run killed while writing ``per_attack.md`` into the folder of an earlier run used to leave
new tables beside old ``metrics.json`` and plots. Now every file of a run is written into a
hidden sibling ``.<name>.partial-XXXXXX``; only when all of them are there is the old folder
moved aside and the new one renamed into place (then the old one is deleted). So
``<name>/`` is always one whole run; a run that died leaves only a hidden ``.partial`` folder,
which readers skip (:func:`is_result_dir`) and the next run of the same output removes.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import fsync_dir, os_error


def is_result_dir(path: str | os.PathLike) -> bool:
    """False for the hidden working folders of unfinished runs."""
    return not Path(path).name.startswith(".")


def remove_leftovers(out: Path) -> None:
    """Working folders of earlier runs of ``out`` that were killed."""
    for stale in out.parent.glob(f".{out.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def result_dir(out: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty working folder; on success it replaces ``out`` as a whole.

    A write error (e.g. a full disk) becomes a one-line SpoofcmError naming the file, and the
    working folder is removed: ``out`` keeps the earlier run, whole.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as exc:
        raise os_error(exc, out) from None
    try:
        try:
            yield work
        except OSError as exc:
            name = str(exc.filename or work).replace(str(work), str(out))
            raise os_error(exc, name) from None
        except SpoofcmError as exc:  # from the atomic writers: name the final folder
            raise SpoofcmError(str(exc).replace(str(work), str(out))) from None
        os.chmod(work, 0o777 & ~_umask())
        fsync_dir(work)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(work, out)
        fsync_dir(out.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise os_error(exc, out) from None
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
