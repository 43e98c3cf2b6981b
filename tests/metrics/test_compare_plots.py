"""spoofcm-plot: combined DET plot and per-attack bars are written, and the EER points drawn
are the systems' EERs (checked against a brute-force EER and against spoofcm-eval)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from spoofcm.bin.plot import main as plot_main
from spoofcm.metrics.compare_plots import attack_bars_png, best_baseline, det_overlay_png

PNG = b"\x89PNG\r\n\x1a\n"


def brute_eer(bona: np.ndarray, spoof: np.ndarray) -> float:
    """EER by trying every threshold between sorted scores (no ties in these tests)."""
    cuts = np.concatenate([[-np.inf], np.sort(np.concatenate([bona, spoof])) + 1e-9])
    miss = np.array([np.mean(bona < t) for t in cuts])
    fa = np.array([np.mean(spoof >= t) for t in cuts])
    k = int(np.argmin(np.abs(miss - fa)))
    return float((miss[k] + fa[k]) / 2)


def systems(seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = {}
    for name, d in (("good", 3.0), ("fair", 1.5), ("poor", 0.5)):
        out[name] = (rng.normal(d, 1, 400), rng.normal(0, 1, 1200))
    return out


def test_det_overlay_marks_each_systems_eer(tmp_path):
    sys_scores = systems()
    points = det_overlay_png(sys_scores, tmp_path / "det.png", "dev")
    assert (tmp_path / "det.png").read_bytes()[:8] == PNG
    assert [p.system for p in points] == ["good", "fair", "poor"]
    for p in points:
        bona, spoof = sys_scores[p.system]
        assert p.eer == pytest.approx(brute_eer(bona, spoof), abs=1e-12)
        assert p.x == pytest.approx(norm.ppf(p.eer)) and p.y == p.x
        assert abs(p.miss - p.fa) <= 1 / 400
    assert points[0].eer < points[1].eer < points[2].eer


def test_attack_bars_and_best_baseline(tmp_path):
    drawn = attack_bars_png({"prop": {"A07": 0.01, "A08": 0.2, "A10": None},
                             "base": {"A07": 0.05, "A09": None, "A10": None}}, tmp_path / "bars.png")
    assert drawn == ["A07", "A08"]   # A08: one system only; A09, A10: no EER at all
    assert (tmp_path / "bars.png").read_bytes()[:8] == PNG
    metrics = {"prop": {"pooled": {"eer": 0.01}}, "b1": {"pooled": {"eer": 0.3}},
               "b2": {"pooled": {"eer": 0.1}}, "b3": {"pooled": {"eer": None}}}
    assert best_baseline(metrics, "prop") == "b2"
    assert best_baseline({"prop": metrics["prop"]}, "prop") is None


def write_recipe(root: Path) -> list[Path]:
    """data/dev with two attacks, and exp/<tag>/scores/dev/score.txt of three systems."""
    from spoofcm.data.datadir import write_data_dir
    sys_scores = systems(1)
    utts, labels, attacks = [], {}, {}
    for i in range(400):
        utts.append(f"B{i:04d}")
    for i in range(1200):
        utts.append(f"S{i:04d}")
    for u in utts:
        labels[u] = "bonafide" if u[0] == "B" else "spoof"
        attacks[u] = "-" if u[0] == "B" else ("A01" if int(u[1:]) % 2 else "A02")
    write_data_dir(root / "data" / "dev", wav={u: f"/nonexistent/{u}.flac" for u in utts},
                   utt2spk={u: "s" for u in utts}, utt2label=labels, utt2attack=attacks,
                   utt2cond={u: "-" for u in utts})
    results = []
    for tag, (bona, spoof) in zip(("fusion_cbam_resnet18_mini", "lfcc_lcnn_mini", "rawnet2_mini"),
                                  sys_scores.values()):
        path = root / "exp" / tag / "scores" / "dev" / "score.txt"
        path.parent.mkdir(parents=True)
        values = np.concatenate([bona, spoof])
        path.write_text("".join(f"{u} {v:.6f}\n" for u, v in zip(utts, values)))
        results.append(root / "exp" / tag / "results" / "dev")
    return results


def test_cli_eer_points_match_spoofcm_eval(tmp_path, capsys):
    from spoofcm.bin.eval import main as eval_main
    results = write_recipe(tmp_path)
    data = str(tmp_path / "data" / "dev")
    for res in results:
        assert eval_main(["--scores", str(res.parents[1] / "scores" / "dev" / "score.txt"),
                          "--data", data, "--out", str(res), "--n-boot", "0", "--no-plots"]) == 0
    capsys.readouterr()
    det, bars = tmp_path / "det_dev.png", tmp_path / "attacks_dev.png"
    assert plot_main(["--results", *map(str, results), "--data", data, "--det", str(det),
                      "--attacks", str(bars)]) == 0
    err = capsys.readouterr().err
    assert det.read_bytes()[:8] == PNG and bars.read_bytes()[:8] == PNG
    for res in results:
        eer = json.loads((res / "metrics.json").read_text())["pooled"]["eer"]
        assert f"{res.parents[1].name}: EER {100 * eer:.2f} %" in err
    assert plot_main(["--results", str(results[0]), "--data", data,
                      "--attacks", str(bars), "--proposed", "nope"]) == 1
    assert "--proposed nope: not among the systems" in capsys.readouterr().err
    assert plot_main(["--results", str(tmp_path / "exp/x/results/dev"), "--data", data,
                      "--det", str(det)]) == 1
    assert "metrics.json: not found" in capsys.readouterr().err
