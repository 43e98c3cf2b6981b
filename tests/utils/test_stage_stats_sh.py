"""utils/stage_stats.sh: run.sh's per-stage wrapper (one process per stage, stats line last)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# a stand-in for run.sh: records its arguments, writes 2000 bytes, fails at stage $FAIL_AT
FAKE_STAGE = """#!/usr/bin/env bash
echo "$SPOOFCM_IN_STAGE $*" >> "$REC"
s=${@: -1}
head -c 2000 /dev/zero > "$OUT/s$s"
[ "$s" != "${FAIL_AT:-}" ] || exit 7
"""


def _run(tmp_path: Path, first: int, last: int, fail_at: str = "") -> subprocess.CompletedProcess:
    fake = tmp_path / "fake_run.sh"
    fake.write_text(FAKE_STAGE)
    fake.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    env = dict(os.environ, REC=str(tmp_path / "rec.txt"), OUT=str(out), FAIL_AT=fail_at,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("SPOOFCM_IN_STAGE", None)
    script = (f". {ROOT}/utils/stage_stats.sh; run_stages_with_stats {first} {last} {out} -- "
              f"{fake} --recipe-dir x")
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)


def test_each_stage_runs_alone_and_ends_with_its_stats(tmp_path):
    proc = _run(tmp_path, 3, 9)
    assert proc.returncode == 0, proc.stderr
    calls = (tmp_path / "rec.txt").read_text().splitlines()
    assert calls == [f"1 --recipe-dir x --stage {s} --stop-stage {s}" for s in (3, 4, 5)]
    stats = [ln for ln in proc.stdout.splitlines() if ln.startswith("stage ")]
    assert [ln.split(":")[0] for ln in stats] == ["stage 3", "stage 4", "stage 5"]
    assert all("peak RSS" in ln and "wrote 2.00 kB (out)" in ln for ln in stats)


def test_stops_at_the_failing_stage_with_its_status(tmp_path):
    proc = _run(tmp_path, 0, 5, fail_at="1")
    assert proc.returncode == 7
    assert len((tmp_path / "rec.txt").read_text().splitlines()) == 2
    assert "stage 1:" in proc.stdout and "FAILED (exit 7)" in proc.stdout
