"""spoofcm-eval end to end: official parity on every golden case, schema, data-dir mode,
calibration, and one-line errors on bad input."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from spoofcm.bin.eval import main

CASES = ["case_la_small", "case_la_medium", "case_la_ties", "case_df_medium"]
TOL = 1e-12


def check_schema(m: dict) -> None:
    """docs/formats.md metrics.json schema (extra keys allowed)."""
    assert m["track"] in ("LA", "DF", None)
    assert m["subset"] is None or isinstance(m["subset"], str)
    assert isinstance(m["n_bonafide"], int) and isinstance(m["n_spoof"], int)
    assert set(m["pooled"]) == {"eer", "min_tdcf"}
    assert isinstance(m["pooled"]["eer"], float) and 0 <= m["pooled"]["eer"] <= 1
    for table in ("per_attack", "per_condition"):
        assert isinstance(m[table], dict) and m[table]
        for cell in m[table].values():
            assert set(cell) == {"eer", "min_tdcf"}
            assert cell["eer"] is None or isinstance(cell["eer"], float)
    assert m["c012"] is None or (len(m["c012"]) == 3 and all(isinstance(v, float)
                                                             for v in m["c012"]))


def close(got, want) -> bool:
    if want is None:
        return got is None
    return got is not None and math.isclose(got, want, rel_tol=0, abs_tol=TOL)


def run_case(case_dir: Path, expected: dict, subset: str, out: Path) -> dict:
    argv = ["--scores", str(case_dir / "score.txt"), "--keys", str(case_dir / "keys"),
            "--track", expected["track"], "--subset", subset, "--out", str(out), "--n-boot", "20"]
    if expected["track"] == "LA":
        argv += ["--asv-scores", str(case_dir / "asv_score.txt")]
    if subset != "eval":
        argv.append("--no-plots")
    assert main(argv) == 0
    return json.loads((out / "metrics.json").read_text())


def compare(m: dict, e: dict, track: str) -> int:
    """Every number of one subset of expected.json; returns how many were compared."""
    n = 0
    cells = m["cells"]
    for r, row in e["eer"].items():
        for c, want in row.items():
            assert close(cells["eer"][r][c], want), (r, c, cells["eer"][r][c], want)
            n += 1
            if track == "LA":
                assert close(cells["min_tdcf"][r][c], e["min_tdcf"][r][c]), (r, c)
                n += 1
    assert close(m["pooled"]["eer"], e["pooled"]["eer"])
    assert close(m["pooled"]["min_tdcf"], e["pooled"]["min_tdcf"])
    rows, cols = ("per_attack", "per_codec") if track == "LA" else ("per_vocoder",
                                                                     "per_compression")
    for name, want in e[rows].items():
        assert close(m["per_attack"][name]["eer"], want["eer"]), name
        assert close(m["per_attack"][name]["min_tdcf"], want.get("min_tdcf")), name
    for name, want in e[cols].items():
        assert close(m["per_condition"][name]["eer"], want["eer"]), name
        assert close(m["per_condition"][name]["min_tdcf"], want.get("min_tdcf")), name
    assert m["n_bonafide"] == e["counts"]["bonafide_in_subset"]
    assert m["n_spoof"] == e["counts"]["spoof_in_subset"]
    for r, row in e["counts"]["cells"].items():
        for c, cnt in row.items():
            assert cells["counts"][r][c] == [cnt["bonafide"], cnt["spoof"]]
    if track == "LA":
        for r, row in e["c012"].items():
            for c, want in row.items():
                got = cells["c012"][r][c]
                for i, key in enumerate(("C0", "C1", "C2")):
                    assert close(None if got is None else got[i], want[key]), (r, c, key)
                    n += 1
        pooled = e["c012"]["Pooled"]["Pooled"]
        assert m["c012"] == pytest.approx([pooled["C0"], pooled["C1"], pooled["C2"]], abs=TOL)
    else:
        assert m["c012"] is None
    return n


@pytest.mark.parametrize("case", CASES)
def test_golden_parity(golden_dir, case, tmp_path):
    case_dir = golden_dir / "asvspoof2021_eval" / case
    if not case_dir.is_dir():
        pytest.skip(f"golden case {case_dir} not found")
    expected = json.loads((case_dir / "expected.json").read_text())
    subsets = [("eval", expected)] + list(expected.get("other_subsets", {}).items())
    for subset, exp in subsets:
        m = run_case(case_dir, expected, subset, tmp_path / subset)
        check_schema(m)
        assert m["track"] == expected["track"] and m["subset"] == subset
        assert compare(m, exp, expected["track"]) > 50
    out = tmp_path / "eval"
    for name in ("det.png", "hist.png", "per_attack.md", "per_condition.md"):
        assert (out / name).stat().st_size > 0
    assert (out / "det.png").read_bytes()[:4] == b"\x89PNG"
    printed = expected["printed"]["eer_percent"]["Pooled"]["Pooled"]
    assert f"| Pooled | {printed:.2f} |" in (out / "per_condition.md").read_text()


def test_printed_tables_match_official_rounding(golden_dir, tmp_path, capsys):
    case_dir = golden_dir / "asvspoof2021_eval" / "case_la_ties"
    expected = json.loads((case_dir / "expected.json").read_text())
    run_case(case_dir, expected, "eval", tmp_path)
    out = capsys.readouterr().out
    eer_line = next(line for line in out.split("EER (%)")[1].splitlines() if "| A07 |" in line)
    cells = [c.strip() for c in eer_line.strip("|").split("|")][1:]
    want = expected["printed"]["eer_percent"]["A07"]
    for tag, got in zip(expected["col_printed_tags"], cells):
        assert got == ("" if want[tag] is None else f"{want[tag]:.2f}"), tag


def write_dd(path: Path, labels: dict, attacks: dict, conds: dict) -> Path:
    from spoofcm.data.datadir import write_data_dir

    write_data_dir(path, wav={u: f"/x/{u}.flac" for u in labels},
                   utt2spk={u: "s" for u in labels}, utt2label=labels, utt2attack=attacks,
                   utt2cond=conds)
    return path


def synthetic_dd(tmp_path: Path, name: str, seed: int, scale: float, n: int = 300):
    rng = np.random.default_rng(seed)
    utts = [f"{name}_{i:04d}" for i in range(n)]
    labels = {u: ("bonafide" if i % 4 == 0 else "spoof") for i, u in enumerate(utts)}
    attacks = {u: ("-" if labels[u] == "bonafide" else f"A0{1 + i % 3}") for i, u in enumerate(utts)}
    conds = {u: ("-" if i % 2 else "codec") for i, u in enumerate(utts)}
    dd = write_dd(tmp_path / name, labels, attacks, conds)
    scores = tmp_path / f"{name}_score.txt"
    scores.write_text("".join(f"{u} {scale * rng.normal(1.0 if labels[u] == 'bonafide' else -1.0):.6f}\n"
                              for u in utts))
    return dd, scores


def test_data_dir_mode_with_calibration(tmp_path, capsys):
    dev, dev_scores = synthetic_dd(tmp_path, "dev", 0, 8.0)
    ev, ev_scores = synthetic_dd(tmp_path, "ev", 1, 8.0)
    calib = tmp_path / "exp" / "calibration.json"
    out = tmp_path / "res"
    assert main(["--scores", str(ev_scores), "--data", str(ev), "--out", str(out),
                 "--dev-scores", str(dev_scores), "--dev-data", str(dev),
                 "--calibration", str(calib), "--n-boot", "100"]) == 0
    m = json.loads((out / "metrics.json").read_text())
    check_schema(m)
    assert m["track"] is None and m["subset"] is None and m["c012"] is None
    assert set(m["per_attack"]) == {"A01", "A02", "A03"} and set(m["per_condition"]) == {"-", "codec"}
    assert m["eer_ci"]["low"] <= m["pooled"]["eer"] <= m["eer_ci"]["high"]
    cal = m["calibrated"]
    assert json.loads(calib.read_text())["a"] == cal["a"]
    assert cal["eval"]["cllr"] < cal["eval_raw_cllr"]
    assert "Calibrated: Cllr" in capsys.readouterr().out
    # a saved calibration is applied without dev scores
    assert main(["--scores", str(ev_scores), "--data", str(ev), "--out", str(tmp_path / "r2"),
                 "--calibration", str(calib), "--n-boot", "0", "--no-plots"]) == 0
    m2 = json.loads((tmp_path / "r2" / "metrics.json").read_text())
    assert m2["calibrated"]["eval"] == cal["eval"] and "eer_ci" not in m2


@pytest.mark.parametrize("mutate, message", [
    (lambda lines: lines[:-1], "have no score"),
    (lambda lines: lines + ["ZZZ 1.0\n"], "is not in the key"),
    (lambda lines: lines + [lines[0]], "duplicate trial"),
    (lambda lines: ["X nan\n" if i == 2 else l for i, l in enumerate(lines)], ":3: score"),
    (lambda lines: [l.rstrip() + " 1\n" if i == 1 else l for i, l in enumerate(lines)],
     ":2: expected 2 columns"),
])
def test_bad_input_is_one_line_error(tmp_path, capsys, mutate, message):
    ev, ev_scores = synthetic_dd(tmp_path, "ev", 1, 1.0, n=40)
    lines = ev_scores.read_text().splitlines(keepends=True)
    ev_scores.write_text("".join(mutate(lines)))
    assert main(["--scores", str(ev_scores), "--data", str(ev), "--n-boot", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error:" in err[0] and message in err[0]


def test_keys_need_track(tmp_path, capsys):
    assert main(["--scores", "s.txt", "--keys", str(tmp_path)]) == 1
    assert "--track" in capsys.readouterr().err
