"""The bench/scale table: per track and stage, cost at each fraction and its growth.

Reads the JSON lines that ``python -m spoofcm.stagestats --json`` appended (names
``<track> <pct>% stage <n>``) and the trial counts of each run's data dirs. Growth between two
fractions is compared with n log n in the stage's trials: a stage whose wall time, CPU time or
bytes written grows faster than ``(n2 log n2) / (n1 log n1)`` (plus 25 % for the noise of a
shared machine) is flagged ``FASTER THAN n log n``. Fixed costs (interpreter start-up, imports,
model loading) make small fractions look sub-linear; only the larger pairs say much.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

NAME = re.compile(r"^(?P<track>LA|DF) (?P<pct>[\d.]+)% stage (?P<stage>\d)$")
SETS = {"LA": "train dev eval_la21", "DF": "train dev eval_df21"}
TOLERANCE = 1.25


def trials(run_dir: Path, track: str) -> int:
    """Utterances of the run's sets (what every stage iterates over)."""
    n = 0
    for s in SETS[track].split():
        path = run_dir / "data" / s / "utt2label"
        if path.is_file():
            with open(path, "rb") as fh:
                n += sum(1 for _ in fh)
    return n


def fmt_growth(a: float, b: float) -> str:
    return f"{b / a:.1f}x" if a > 0 else "-"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--stats", required=True, help="stats.jsonl written by bench/scale/run.sh")
    p.add_argument("--runs", required=True, help="folder of the <track>_<pct> run dirs")
    args = p.parse_args()
    rec: dict[tuple[str, int], dict[float, dict]] = {}
    for line in Path(args.stats).read_text().splitlines():
        r = json.loads(line)
        m = NAME.match(r["name"])
        if m and r["returncode"] == 0:   # the last successful run of a cell wins
            rec.setdefault((m["track"], int(m["stage"])), {})[float(m["pct"])] = r
    print("| track | stage | trials | wall s | CPU s | peak RSS MB | written MB | growth wall / CPU / bytes | n log n bound | verdict |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    flagged = 0
    for (track, stage), by_pct in sorted(rec.items()):
        pcts = sorted(by_pct)
        n = {q: trials(Path(args.runs) / f"{track.lower()}_{q:g}", track) for q in pcts}
        for i, q in enumerate(pcts):
            r = by_pct[q]
            growth = bound = verdict = ""
            if i:
                q0 = pcts[i - 1]
                r0 = by_pct[q0]
                n0, n1 = n[q0], n[q]
                b = (n1 * math.log(n1)) / (n0 * math.log(n0)) if n0 > 1 else float("inf")
                ratios = [r["wall_s"] / r0["wall_s"], r["cpu_s"] / max(r0["cpu_s"], 1e-9),
                          (r["bytes_written"] / r0["bytes_written"]) if r0["bytes_written"] > 4096 else 0]
                growth = " / ".join(f"{x:.1f}x" if x else "-" for x in ratios) + f" ({q0:g}→{q:g} %)"
                bound = f"{b:.1f}x"
                bad = any(x > b * TOLERANCE for x in ratios)
                flagged += bad
                verdict = "FASTER THAN n log n" if bad else "ok"
            print(f"| {track} | {stage} | {n[q]:,} ({q:g} %) | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
                  f"{r['peak_rss_bytes'] / 1e6:.0f} | {r['bytes_written'] / 1e6:.1f} | {growth} | {bound} | {verdict} |")
    if flagged:
        print(f"\n{flagged} stage(s) grew faster than n log n", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
