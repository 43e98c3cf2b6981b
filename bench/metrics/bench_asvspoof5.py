"""ASVspoof 5 metrics benchmark: spoofcm.metrics vs a straightforward reference, same run.

Cases (synthetic, evaluation-package TSV layout, generated once under WORKDIR/asvspoof5):

* ``track1_1m``: 1,000,000 Track 1 trials (10 % bona fide), cm_score.tsv + cm_key.tsv in
  different row orders; files in, min DCF / EER / Cllr / actual DCF out.
* ``track2_20k``: 20,000 Track 2 trials; min a-DCF / min t-DCF / t-EER. Small because the
  reference t-EER scans every CM point for every ASV point (quadratic), as the organisers'
  package does; ours bisects.

Each (implementation, case) runs in its own process; we report wall and CPU time of the work
(imports excluded), the ratio reference / ours, peak RSS, and check that the numbers agree
(1e-9; t-EER 1e-7 in %).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CASES = {"track1_1m": 1_000_000, "track2_20k": 20_000}


def _write(path: Path, header: str, columns: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fh.write(header + "\n")
        fh.write("\n".join("\t".join(row) for row in zip(*columns)))
        fh.write("\n")


def generate(root: Path) -> None:
    """Write both cases (fixed seed): Gaussian scores rounded to 6 decimals."""
    rng = np.random.default_rng(5)
    n = CASES["track1_1m"]
    ids = np.array([f"E_{i:07d}" for i in range(n)])
    bona = rng.random(n) < 0.1
    scores = np.round(rng.normal(0, 1.5, n) + np.where(bona, 2.0, -1.0), 6)
    order = rng.permutation(n)
    _write(root / "track1_1m" / "cm_score.tsv", "filename\tcm-score",
           [ids[order], [f"{s:.6f}" for s in scores[order]]])
    _write(root / "track1_1m" / "cm_key.tsv", "filename\tcm-label",
           [ids, np.where(bona, "bonafide", "spoof")])
    n = CASES["track2_20k"]
    label = rng.choice(3, n, p=[0.3, 0.2, 0.5])   # target, nontarget, spoof
    spk = np.array([f"E_{k:04d}" for k in rng.integers(0, 400, n)])
    ids = np.array([f"E_{i:07d}" for i in range(n)])
    cm = np.round(rng.normal(0, 1, n) + np.where(label == 2, -1.5, 1.5), 6)
    asv = np.round(rng.normal(0, 1, n) + np.choose(label, [2.5, -2.5, 1.0]), 6)
    sasv = np.round(0.5 * cm + 0.5 * asv, 6)
    fmt = [[f"{v:.6f}" for v in col] for col in (cm, asv, sasv)]
    _write(root / "track2_20k" / "sasv_score.tsv", "spk\tfilename\tcm-score\tasv-score\tsasv-score",
           [spk, ids, *fmt])
    names = np.array(["target", "nontarget", "spoof"])[label]
    _write(root / "track2_20k" / "sasv_key.tsv", "spk\tfilename\tcm-label\tasv-label",
           [spk, ids, np.where(label == 2, "spoof", "bonafide"), names])


def run_ours(case: str, root: Path) -> tuple[float, dict]:
    from spoofcm.metrics.asvspoof5_eval import evaluate_asvspoof5

    d = root / case
    t0 = time.perf_counter()
    if case == "track1_1m":
        out = evaluate_asvspoof5(scores=d / "cm_score.tsv", cm_key=d / "cm_key.tsv")["track1"]
    else:
        out = evaluate_asvspoof5(sasv_scores=d / "sasv_score.tsv",
                                 sasv_key=d / "sasv_key.tsv")["track2"]
    return time.perf_counter() - t0, out


def run_reference(case: str, root: Path) -> tuple[float, dict]:
    import reference_asvspoof5 as ref

    d = root / case
    t0 = time.perf_counter()
    if case == "track1_1m":
        out = ref.track1(d / "cm_score.tsv", d / "cm_key.tsv")
    else:
        out = ref.track2(d / "sasv_score.tsv", d / "sasv_key.tsv")
    return time.perf_counter() - t0, out


def worker(impl: str, case: str, root: Path, out: Path) -> None:
    from bench import peak_rss_mb

    cpu0 = time.process_time()
    seconds, numbers = (run_ours if impl == "ours" else run_reference)(case, root)
    out.write_text(json.dumps({"seconds": seconds, "cpu": time.process_time() - cpu0,
                               "peak_rss_mb": peak_rss_mb(), "numbers": numbers}))


def measure(impl: str, case: str, root: Path) -> dict:
    out = root / f"{impl}_{case}.json"
    subprocess.run([sys.executable, str(Path(__file__)), "worker", impl, case, str(root),
                    str(out)], check=True)
    return json.loads(out.read_text())


def main() -> None:
    base = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[1] / "bench" / "out" / "metrics")
    root = base / "asvspoof5"
    if not (root / "track2_20k" / "sasv_key.tsv").is_file():
        print(f"generating synthetic ASVspoof 5 cases under {root} ...", flush=True)
        generate(root)
    print("| case | trials | ours wall (s) | ours CPU (s) | reference wall (s) "
          "| reference CPU (s) | speed-up (CPU) | ours peak RSS (MB) | reference peak RSS (MB) "
          "| identical (max diff) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case, n in CASES.items():
        ours, ref = measure("ours", case, root), measure("reference", case, root)
        worst = max(abs(ours["numbers"][k] - v) / (100 if k == "t_eer_percent" else 1)
                    for k, v in ref["numbers"].items())
        ok = worst <= 1e-9
        print(f"| {case} | {n:,} | {ours['seconds']:.2f} | {ours['cpu']:.2f} | "
              f"{ref['seconds']:.2f} | {ref['cpu']:.2f} | {ref['cpu'] / ours['cpu']:.1f}x | "
              f"{ours['peak_rss_mb']:.0f} | {ref['peak_rss_mb']:.0f} | "
              f"{'yes' if ok else 'NO'} ({worst:.1e}) |", flush=True)
        if not ok:
            raise SystemExit(f"{case}: results differ from the reference")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
