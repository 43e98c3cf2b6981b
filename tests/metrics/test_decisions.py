"""Stored decisions are checked (issue 14, class 7): the scorer falls back with a warning, and
stage 5 never stores a calibration it cannot use."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spoofcm.bin.eval import main as eval_main
from spoofcm.metrics.decisions import RAW_THRESHOLD, decision_threshold, load_threshold
from spoofcm.errors import SpoofcmError
from spoofcm.metrics.calibration import Calibration

from helpers.la_fixture import alternating_data_dir


@pytest.mark.parametrize("text", ['{"threshold": NaN}', '{"threshold": Infinity}',
                                  '{"threshold": "-inf"}'])
def test_non_finite_threshold_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "threshold.json").write_text(text)
    with pytest.raises(SpoofcmError, match="is not a finite number"):
        load_threshold(tmp_path / "threshold.json")
    thr, source, warnings = decision_threshold(tmp_path)
    assert thr == RAW_THRESHOLD and "raw" in source
    assert len(warnings) == 1 and "threshold.json: threshold" in warnings[0]


def test_negative_slope_calibration_falls_back_to_the_eer_threshold(tmp_path: Path) -> None:
    (tmp_path / "threshold.json").write_text('{"threshold": 1.25}')
    Calibration(a=-0.5, b=0.1, n_bonafide=3, n_spoof=3).save(tmp_path / "calibration.json")
    thr, source, warnings = decision_threshold(tmp_path)
    assert (thr, source) == (1.25, "dev EER threshold")
    assert len(warnings) == 1 and "slope a=-0.5 is not positive" in warnings[0]


def test_stage5_does_not_store_an_unusable_calibration(tmp_path: Path, capsys) -> None:
    data = alternating_data_dir(tmp_path / "dev")
    rng = np.random.default_rng(0)
    good = tmp_path / "good.txt"
    inverted = tmp_path / "inverted.txt"
    lines_good, lines_inv = [], []
    for i in range(20):
        s = (1.0 if i % 2 == 0 else -1.0) + 0.3 * rng.standard_normal()
        lines_good.append(f"u{i:02d} {s:.4f}\n")
        lines_inv.append(f"u{i:02d} {-s:.4f}\n")
    good.write_text("".join(lines_good))
    inverted.write_text("".join(lines_inv))
    cal = tmp_path / "calibration.json"
    cal.write_text(json.dumps({"a": 1.0, "b": 0.0, "n_bonafide": 1, "n_spoof": 1}))  # stale
    rc = eval_main(["--scores", str(good), "--data", str(data), "--dev-scores", str(inverted),
                    "--dev-data", str(data), "--calibration", str(cal), "--n-boot", "0",
                    "--out", str(tmp_path / "res"), "--no-plots"])
    assert rc == 0
    captured = capsys.readouterr()
    assert "not stored: calibration slope" in captured.err
    assert "Calibrated:" not in captured.out  # no Cllr / actual DCF of flipped scores
    assert not cal.exists()
    metrics = json.loads((tmp_path / "res" / "metrics.json").read_text())
    fit = metrics["calibrated"]
    assert fit["calibration_file"] is None and fit["a"] < 0
    assert "eval" not in fit and "not positive" in fit["unusable"]
    # without --calibration the inverted dev map is still refused, with its own warning
    assert eval_main(["--scores", str(good), "--data", str(data), "--dev-scores", str(inverted),
                      "--dev-data", str(data), "--n-boot", "0"]) == 0
    captured = capsys.readouterr()
    assert "dev calibration not used: calibration slope" in captured.err
    assert "Calibrated:" not in captured.out
    # a usable one is stored
    assert eval_main(["--scores", str(good), "--data", str(data), "--dev-scores", str(good),
                      "--dev-data", str(data), "--calibration", str(cal), "--n-boot", "0"]) == 0
    assert Calibration.load(cal).a > 0
