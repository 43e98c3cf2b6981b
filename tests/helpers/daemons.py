"""Foreground daemons started by test fixtures (munged, slurmctld, slurmd, ...), stopped by
process id. Each daemon runs in its own session so a stuck one can be killed with its
children; nothing is ever stopped by name. Should the test process itself be killed before
its fixtures stop them, the kernel sends each daemon SIGTERM (Linux parent-death signal)."""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies (prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    """A TCP port nobody listens on now (so parallel test sessions do not collide)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemons:
    """The daemons one fixture started, stopped in reverse order by ``stop_all``."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], log: Path, env: dict[str, str] | None = None,
              user: str | None = None) -> subprocess.Popen:
        """Start one foreground daemon; its stdout/stderr go to ``log``."""
        with open(log, "ab") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env, user=user,
                                    start_new_session=True, preexec_fn=_die_with_parent)
        self.procs.append((name, proc))
        return proc

    def check_alive(self) -> None:
        """Fail with the daemon's name when one has exited (its log says why)."""
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}")

    def stop_all(self, grace: float = 10.0) -> list[str]:
        """SIGTERM each daemon (last started first), SIGKILL its session after ``grace``
        seconds; returns the names of those that had to be killed."""
        killed = []
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    killed.append(name)
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
        self.procs.clear()
        return killed


def wait_until(what: str, ready: Callable[[], bool], timeout: float,
               alive: Callable[[], None] = lambda: None, step: float = 0.2) -> None:
    """Poll ``ready`` until it is true; raise naming ``what`` after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not ready():
        alive()
        if time.monotonic() > end:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)
