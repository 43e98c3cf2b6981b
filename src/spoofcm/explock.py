"""One writer per experiment directory.

Two ``spoofcm-train`` runs on one ``exp/<tag>`` (two recipe invocations whose ``--seeds``
overlap, a resubmitted cluster job while the first still runs) would interleave checkpoints,
logs and ``best.pt`` with no error. An advisory ``flock`` on ``exp/<tag>/.lock`` makes the
second a one-line error naming the holder. The kernel drops the lock when its process dies, so
a killed run never leaves a stale lock behind (the file itself stays and is reused).
"""
from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from spoofcm.errors import SpoofcmError
from spoofcm.fsutil import os_error

LOCK_NAME = ".lock"
#: flock errors of file systems without locking support (not "held by another process")
UNSUPPORTED = (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP)


def _flock(fd: int, path: Path, exp: Path, program: str) -> bool:
    """Take the lock on ``fd``: True when held, False on a file system without locks (warned);
    SpoofcmError naming the holder when another process has it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in UNSUPPORTED:   # e.g. Lustre mounted without flock: run unguarded
            print(f"{program}: warning: {path}: this file system has no locks "
                  f"({os.strerror(exc.errno)}); nothing stops a second run on {exp}",
                  file=sys.stderr)
            return False
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise os_error(exc, path) from None
    holder = os.pread(fd, 256, 0).decode("utf-8", "replace").strip() or "another process"
    raise SpoofcmError(f"{exp}: in use by {holder}; wait for it to finish or stop it "
                       f"(one run per experiment directory)")


@contextmanager
def exp_lock(exp: str | os.PathLike, program: str) -> Iterator[Path]:
    """Hold ``exp/.lock`` exclusively for the block; SpoofcmError when another process has it."""
    exp = Path(exp)
    path = exp / LOCK_NAME
    try:
        exp.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise os_error(exc, path) from None
    try:
        if _flock(fd, path, exp, program):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{program} (pid {os.getpid()} on {socket.gethostname()})\n".encode(), 0)
        yield path
    finally:
        os.close(fd)   # closing the descriptor releases the lock
