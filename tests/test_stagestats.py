"""spoofcm.stagestats: a stage's wall time, peak RSS of its process tree and bytes left on disk."""
from __future__ import annotations

import json
import sys

from spoofcm.stagestats import human_bytes, main, tree_bytes

# a grandchild (as run.sh -> run.pl -> program) that holds ~120 MB and writes 1 MB + a hard link
GRANDCHILD = """
import os, sys
b = bytearray(120 * 2**20)
b[::4096] = b"x" * len(b[::4096])
p = sys.argv[1]
open(p + "/f", "wb").write(b[:10**6])
os.link(p + "/f", p + "/g")
"""
CHILD = ("import subprocess, sys; subprocess.run([sys.executable, '-c', sys.argv[2], sys.argv[1]], "
         "check=True)")


def test_measures_grandchild_memory_and_bytes(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old").write_bytes(b"x" * 500)       # present before: not counted as written
    log = tmp_path / "stats.jsonl"
    rc = main(["--name", "stage 9", "--dir", str(out), "--json", str(log), "--",
               sys.executable, "-c", CHILD, str(out), GRANDCHILD])
    assert rc == 0
    rec = json.loads(log.read_text())
    assert rec["bytes_written"] == 10**6            # the hard link is the same inode
    assert 120 * 2**20 <= rec["peak_rss_bytes"] < 1000 * 2**20
    assert rec["wall_s"] > 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("stage 9: wall ") and "peak RSS" in last and "wrote 1.00 MB (out)" in last


def test_passes_on_failure(tmp_path, capsys):
    rc = main(["--name", "stage 2", "--", sys.executable, "-c", "import sys; sys.exit(3)"])
    assert rc == 3
    assert "FAILED (exit 3)" in capsys.readouterr().out


def test_missing_command_is_one_line_error(tmp_path, capsys):
    assert main(["--name", "s", "--", str(tmp_path / "nope")]) == 1
    assert "command not found" in capsys.readouterr().err


def test_tree_bytes_and_units(tmp_path):
    assert tree_bytes([tmp_path / "absent"]) == 0
    (tmp_path / "a").write_bytes(b"12345")
    assert tree_bytes([tmp_path]) == 5
    assert human_bytes(999) == "999 B" and human_bytes(1_230_000) == "1.23 MB"


def test_a_big_caller_or_its_earlier_children_do_not_leak_into_the_figures(tmp_path):
    import subprocess
    subprocess.run([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096])"],
                   check=True)   # this process now holds a 300 MB child in its own counters
    big = bytearray(300 * 2**20)     # and is big itself (a child would inherit its high-water mark)
    big[::4096] = b"x" * len(big[::4096])
    log = tmp_path / "s.jsonl"
    assert main(["--name", "small", "--json", str(log), "--", sys.executable, "-c", "pass"]) == 0
    del big
    assert json.loads(log.read_text())["peak_rss_bytes"] < 200 * 2**20
