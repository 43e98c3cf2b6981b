"""spoofcm-fuse (score-level fusion): a system fused with itself is only calibrated; two
complementary systems fused beat both; mismatched inputs are named."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spoofcm.bin.fuse import main as fuse_main
from spoofcm.metrics.calibration import fit_calibration
from spoofcm.metrics.det import compute_eer
from spoofcm.metrics.fusion import Fusion, fit_fusion


def synthetic(n: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Two systems, each blind to one of two attacks: trial ids, labels (1 = bona fide), and
    an (n, 2) score matrix. Bona fide ~ (1.5, 1.5); attack A ~ (-1.5, 1.5); B ~ (1.5, -1.5)."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 3, size=n)           # 0 bona fide, 1 attack A, 2 attack B
    means = np.array([[1.5, 1.5], [-1.5, 1.5], [1.5, -1.5]])
    scores = means[kind] + rng.standard_normal((n, 2))
    scores[:, 1] = 3.0 * scores[:, 1] - 4.0     # another scale and offset for system 2
    ids = [f"T{seed}_{i:05d}" for i in range(n)]
    return ids, (kind == 0).astype(int), scores


def eer(scores: np.ndarray, labels: np.ndarray) -> float:
    return compute_eer(scores[labels == 1], scores[labels == 0])[0]


def write_set(folder: Path, ids, labels, scores, names=("sys1", "sys2")) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    order = np.argsort(ids)
    (folder / "utt2label").write_text("".join(
        f"{ids[i]} {'bonafide' if labels[i] else 'spoof'}\n" for i in order))
    paths = []
    rng = np.random.default_rng(7)
    for k, name in enumerate(names):
        perm = rng.permutation(len(ids))        # each file in its own order
        path = folder / f"{name}.txt"
        path.write_text("".join(f"{ids[i]} {scores[i, k]:.6f}\n" for i in perm))
        paths.append(path)
    return paths


def read_scores(path: Path, ids: list[str]) -> np.ndarray:
    d = {u: float(s) for u, s in (ln.split() for ln in path.read_text().splitlines())}
    return np.array([d[u] for u in ids])


def test_fusing_a_system_with_itself_is_its_calibration():
    ids, labels, scores = synthetic(3000, 0)
    s = scores[:, 1]
    both = np.stack([s, s], axis=1)
    fusion = fit_fusion(both[labels == 1], both[labels == 0], ["a", "a"])
    _, _, ev = synthetic(2000, 1)
    fused = fusion.apply(np.stack([ev[:, 1], ev[:, 1]], axis=1))
    slope = sum(fusion.weights)
    assert slope > 0
    np.testing.assert_allclose(fused, slope * ev[:, 1] + fusion.offset, atol=1e-9)
    _, ev_labels, _ = synthetic(2000, 1)
    assert eer(fused, ev_labels) == eer(ev[:, 1], ev_labels)
    cal = fit_calibration(s[labels == 1], s[labels == 0])
    assert slope == pytest.approx(cal.a, rel=1e-3) and fusion.offset == pytest.approx(cal.b, abs=1e-3)


def test_complementary_systems_fused_beat_both(tmp_path, capsys):
    dev_ids, dev_labels, dev = synthetic(3000, 2)
    ev_ids, ev_labels, ev = synthetic(3000, 3)
    dev_files = write_set(tmp_path / "dev", dev_ids, dev_labels, dev)
    ev_files = write_set(tmp_path / "eval", ev_ids, ev_labels, ev)
    fjson = tmp_path / "fusion.json"
    assert fuse_main(["fit", "--dev-data", str(tmp_path / "dev"), "--scores",
                      *map(str, dev_files), "--names", "sys1", "sys2", "--out", str(fjson)]) == 0
    info = json.loads(fjson.read_text())
    assert info["systems"] == ["sys1", "sys2"] and all(w > 0 for w in info["weights"])
    out = tmp_path / "fused.txt"
    assert fuse_main(["apply", "--fusion", str(fjson), "--scores", *map(str, ev_files),
                      "--out", str(out)]) == 0
    fused = read_scores(out, ev_ids)
    e1, e2, ef = eer(ev[:, 0], ev_labels), eer(ev[:, 1], ev_labels), eer(fused, ev_labels)
    assert ef < 0.75 * min(e1, e2), (ef, e1, e2)
    # the output is a calibrated LLR: bona fide trials mostly positive, spoof mostly negative
    assert np.mean(fused[ev_labels == 1] > 0) > 0.8 and np.mean(fused[ev_labels == 0] < 0) > 0.8


def test_mismatched_inputs_are_named(tmp_path, capsys):
    ids, labels, scores = synthetic(200, 4)
    files = write_set(tmp_path / "dev", ids, labels, scores)
    files[1].write_text(files[1].read_text().replace(ids[3], "stranger"))
    assert fuse_main(["fit", "--dev-data", str(tmp_path / "dev"), "--scores",
                      *map(str, files), "--out", str(tmp_path / "f.json")]) == 1
    assert "sys2.txt: trial 'stranger' is not in" in capsys.readouterr().err
    Fusion(("a", "b"), (1.0, 1.0), 0.0, 1, 1).save(tmp_path / "f.json")
    assert fuse_main(["apply", "--fusion", str(tmp_path / "f.json"), "--scores",
                      str(files[0]), "--out", str(tmp_path / "o.txt")]) == 1
    assert "fitted on 2 systems (a b), given 1 score files" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{}")
    assert fuse_main(["apply", "--fusion", str(tmp_path / "bad.json"), "--scores",
                      str(files[0]), "--out", str(tmp_path / "o.txt")]) == 1
    assert "bad.json: not a fusion file" in capsys.readouterr().err
