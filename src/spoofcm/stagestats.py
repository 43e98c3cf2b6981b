"""Run one recipe stage as a child process and report its wall time, peak RSS and bytes written.

Why a wrapper process: a stage's peak memory is only known to the process that waits for the
stage's whole process tree (Linux keeps the largest ``maxrss`` of every waited-for descendant in
``getrusage(RUSAGE_CHILDREN)``), and a shell cannot read that. The command runs under a fresh
small interpreter, so the figures are the stage's own whatever the caller ran before. So run.sh runs each stage as
``python -m spoofcm.stagestats --name "stage 1" --dir <outputs> -- run.sh ... --stage 1
--stop-stage 1``; the last line of the stage's log is then::

    stage 1: wall 12.3 s (CPU 20.1 s), peak RSS 812.4 MB, wrote 1.23 GB (data dump exp)

"Bytes written" is the growth of the apparent size of the ``--dir`` trees (hard links counted
once), i.e. what the stage left on disk, not I/O traffic. ``--json`` appends the same figures as
one JSON line (bench/scale collects them). The child's exit status is passed on.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from spoofcm.errors import SpoofcmError, cli_main


@dataclass
class StageStats:
    """What one stage cost."""

    name: str
    wall_s: float
    cpu_s: float
    peak_rss_bytes: int
    bytes_written: int
    returncode: int

    def line(self, dirs: list[str]) -> str:
        where = " ".join(Path(d).name or d for d in dirs)
        status = "" if self.returncode == 0 else f", FAILED (exit {self.returncode})"
        return (f"{self.name}: wall {self.wall_s:.1f} s (CPU {self.cpu_s:.1f} s), "
                f"peak RSS {human_bytes(self.peak_rss_bytes)}, wrote {human_bytes(self.bytes_written)}{f' ({where})' if where else ''}{status}")


def human_bytes(n: float) -> str:
    """1234567 → '1.23 MB' (decimal units, as disk sizes are quoted)."""
    sign = "-" if n < 0 else ""
    n = abs(float(n))
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{sign}{n:.0f} {unit}" if unit == "B" else f"{sign}{n:.2f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def tree_bytes(paths: list[str | os.PathLike]) -> int:
    """Apparent size of every regular file under ``paths`` (each inode counted once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    stack = [Path(p) for p in paths]
    while stack:
        path = stack.pop()
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        if path.is_dir() and not path.is_symlink():
            try:
                with os.scandir(path) as it:
                    stack.extend(Path(e.path) for e in it)
            except FileNotFoundError:
                continue
        elif path.is_file() and not path.is_symlink():
            ident = (st.st_dev, st.st_ino)
            if ident not in seen:
                seen.add(ident)
                total += st.st_size
    return total


#: runs in a fresh, small interpreter: its RUSAGE_CHILDREN starts at zero and covers the command
#: alone (ru_maxrss: KiB on Linux, the largest RSS of any one process of the waited-for tree)
_MEASURE = """
import json, os, resource, subprocess, sys
try:
    rc = subprocess.run(sys.argv[2:], check=False).returncode
except FileNotFoundError:
    rc = -1
except KeyboardInterrupt:
    rc = 130
u = resource.getrusage(resource.RUSAGE_CHILDREN)
os.write(int(sys.argv[1]), json.dumps([rc, u.ru_utime + u.ru_stime, u.ru_maxrss * 1024]).encode())
"""


def _measured(cmd: list[str]) -> tuple[int, float, int]:
    """``(exit status, CPU seconds, peak RSS bytes)`` of ``cmd``'s process tree alone.

    Measured by a fresh interpreter rather than by this process, whose counters keep the largest
    child it ever waited for, and whose own size a forked child would inherit (Linux carries the
    RSS high-water mark of a process across exec). Status -1: the command was not found.
    """
    read_fd, write_fd = os.pipe()
    try:
        subprocess.run([sys.executable, "-S", "-c", _MEASURE, str(write_fd), *cmd],
                       pass_fds=(write_fd,), check=False)
    finally:
        os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        report = fh.read()
    if not report:
        raise SpoofcmError(f"{cmd[0]}: the measuring process died before reporting")
    rc, cpu, peak = json.loads(report)
    return int(rc), float(cpu), int(peak)


def run_with_stats(name: str, cmd: list[str], dirs: list[str]) -> StageStats:
    """Run ``cmd`` (inheriting stdout/stderr) and measure it; see the module docstring."""
    if not cmd:
        raise SpoofcmError("no command given (usage: ... --name NAME [--dir D] -- CMD ...)")
    before = tree_bytes(dirs)
    start = time.monotonic()
    rc, cpu, peak = _measured(cmd)
    wall = time.monotonic() - start
    if rc == -1:
        raise SpoofcmError(f"{cmd[0]}: command not found")
    return StageStats(name, wall, cpu, peak, tree_bytes(dirs) - before, rc)


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, cmd = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(prog="python -m spoofcm.stagestats", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", required=True, help="label of the stage, e.g. 'stage 1'")
    p.add_argument("--dir", action="append", default=[], dest="dirs",
                   help="output tree whose growth is 'bytes written' (repeatable)")
    p.add_argument("--json", help="append the figures as one JSON line to this file")
    return p.parse_args(argv), cmd


@cli_main
def main(argv: list[str] | None = None) -> int:
    args, cmd = parse_args(argv)
    stats = run_with_stats(args.name, cmd, args.dirs)
    sys.stdout.flush()
    print(stats.line(args.dirs), flush=True)
    if args.json:
        record = asdict(stats) | {"cmd": cmd, "dirs": args.dirs}
        with open(args.json, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
    return stats.returncode


if __name__ == "__main__":
    sys.exit(main())
