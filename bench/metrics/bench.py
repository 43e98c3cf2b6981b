"""Metrics benchmark: spoofcm.metrics vs a straightforward per-cell re-sort reference.

Three ASVspoof 2021-size cases (synthetic keys made by gen.py): LA with precomputed C0/C1/C2,
LA recomputing C0/C1/C2 from 785,281 ASV trials, and DF. Each (implementation, case) runs in
its own process; we report the wall time of the work (files in, every table out; interpreter
start and imports excluded), the process's peak RSS (getrusage of the child), and check that
both implementations give identical numbers in every cell.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CASES = ("la_c012", "la_recompute", "df")
#: the organisers' package on the reference machine (issue 3), seconds, single core
OFFICIAL_SECONDS = {"la_c012": 5.5, "la_recompute": 27.0, "df": 10.0}


def run_ours(case: str, root: Path):
    from spoofcm.metrics.decompose import compute_c012, decompose
    from spoofcm.metrics.keys import asv_key_path, attach_scores, read_asv, read_cm_key

    track = "DF" if case == "df" else "LA"
    data = root / ("df" if case == "df" else "la")
    t0 = time.perf_counter()
    cm = attach_scores(read_cm_key(data / "keys", track), data / "score.txt")
    cm_eval = cm.select(cm.subset_mask("eval"))
    c012 = None
    if case == "la_recompute":
        asv = read_asv(asv_key_path(data / "keys"), data / "asv_score.txt", cm)
        c012 = compute_c012(asv.select(asv.subset_mask("eval")), len(cm.row_names),
                            len(cm.col_names))
    elif case == "la_c012":
        c012 = np.load(data / "c012_eval.npy")
    tables = decompose(cm_eval, c012)
    seconds = time.perf_counter() - t0
    cells = {f"{r}|{c}": [tables.eer[r][c], None if tables.min_tdcf is None else
                          tables.min_tdcf[r][c]] for r in tables.rows for c in tables.cols}
    return seconds, cells


def run_reference(case: str, root: Path):
    import reference as ref

    track = "DF" if case == "df" else "LA"
    data = root / ("df" if case == "df" else "la")
    t0 = time.perf_counter()
    scores, labels, rows, cols = ref.load_cm(data / f"keys/{track}/CM/trial_metadata.txt",
                                             data / "score.txt", track, "eval")
    table = None
    if case == "la_recompute":
        table = ref.compute_c012_table(data / "keys/LA/ASV/trial_metadata.txt",
                                       data / "asv_score.txt", "eval")
    elif case == "la_c012":
        arr = np.load(data / "c012_eval.npy")
        names_r, names_c = ref.LA_ROWS + ["Pooled"], ref.LA_COLS + ["Pooled"]
        table = {(r, c): (None if np.isnan(arr[i, j]).any() else tuple(arr[i, j]))
                 for i, r in enumerate(names_r) for j, c in enumerate(names_c)}
    out = ref.evaluate(scores, labels, rows, cols, track, table)
    seconds = time.perf_counter() - t0
    return seconds, {f"{r}|{c}": list(v) for (r, c), v in out.items()}


def worker(impl: str, case: str, root: Path, out: Path) -> None:
    sys.path.insert(0, str(HERE))
    cpu0 = time.process_time()
    seconds, cells = (run_ours if impl == "ours" else run_reference)(case, root)
    cpu = time.process_time() - cpu0
    out.write_text(json.dumps({"seconds": seconds, "cpu": cpu, "peak_rss_mb": peak_rss_mb(),
                               "cells": cells}))


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike getrusage, not inherited on exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(impl: str, case: str, root: Path) -> dict:
    out = root / f"{impl}_{case}.json"
    subprocess.run([sys.executable, str(Path(__file__)), "worker", impl, case, str(root),
                    str(out)], check=True)
    return json.loads(out.read_text())


def same(a: dict, b: dict) -> tuple[bool, float]:
    worst = 0.0
    for key, (e1, t1) in a.items():
        e2, t2 = b[key]
        for x, y in ((e1, e2), (t1, t2)):
            if (x is None) != (y is None):
                return False, float("inf")
            if x is not None:
                worst = max(worst, abs(x - y))
    return worst <= 1e-12, worst


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[1] / "bench" / "out" / "metrics")
    sys.path.insert(0, str(HERE))
    import gen

    if not (root / "la" / "asv_score.txt").is_file():
        print(f"generating synthetic keys under {root} ...", flush=True)
        gen.make_la(root / "la")
        gen.make_df(root / "df")
    if not (root / "la" / "c012_eval.npy").is_file():
        from spoofcm.metrics.decompose import compute_c012
        from spoofcm.metrics.keys import asv_key_path, read_asv, read_cm_key

        cm = read_cm_key(root / "la" / "keys", "LA")
        asv = read_asv(asv_key_path(root / "la" / "keys"), root / "la" / "asv_score.txt", cm)
        np.save(root / "la" / "c012_eval.npy",
                compute_c012(asv.select(asv.subset_mask("eval")), len(cm.row_names),
                             len(cm.col_names)))
    print("| case | trials | ours wall (s) | ours CPU (s) | reference wall (s) | reference CPU (s) "
          "| speed-up vs reference (CPU) | official pkg (s, issue) | speed-up vs official (CPU) "
          "| ours peak RSS (MB) | reference peak RSS (MB) | identical (max abs diff) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    sizes = {"la_c012": "181,566 CM", "la_recompute": "181,566 CM + 785,281 ASV",
             "df": "611,829 CM"}
    for case in CASES:
        ours, ref = measure("ours", case, root), measure("reference", case, root)
        ok, worst = same(ours["cells"], ref["cells"])
        print(f"| {case} | {sizes[case]} | {ours['seconds']:.2f} | {ours['cpu']:.2f} | "
              f"{ref['seconds']:.2f} | {ref['cpu']:.2f} | {ref['cpu'] / ours['cpu']:.1f}x | "
              f"{OFFICIAL_SECONDS[case]} | {OFFICIAL_SECONDS[case] / ours['cpu']:.1f}x | "
              f"{ours['peak_rss_mb']:.0f} | "
              f"{ref['peak_rss_mb']:.0f} | {'yes' if ok else 'NO'} ({worst:.1e}) |", flush=True)
        if not ok:
            raise SystemExit(f"{case}: results differ from the reference")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
