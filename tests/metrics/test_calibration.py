"""Calibration: fitting improves Cllr of miscalibrated scores; DCF and Cllr by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.metrics.calibration import (Calibration, DcfModel, actual_dcf, cllr,
                                         fit_calibration, min_dcf)


def synthetic(seed: int, n: int = 3000):
    """Well-separated Gaussian LLRs, then a bad affine map (too confident and shifted)."""
    rng = np.random.default_rng(seed)
    bona, spoof = rng.normal(2.0, 2.0, n), rng.normal(-2.0, 2.0, 3 * n)  # true LLR = x
    return 5.0 * bona + 7.0, 5.0 * spoof + 7.0


def test_calibration_improves_cllr_and_generalises():
    dev_b, dev_s = synthetic(0)
    ev_b, ev_s = synthetic(1)
    model = fit_calibration(dev_b, dev_s)
    raw = cllr(ev_b, ev_s)
    calibrated = cllr(model.apply(ev_b), model.apply(ev_s))
    assert raw > 1.0 and calibrated < 0.6 * raw
    # the ideal map here is LLR = (s - 7) / 5 = 0.2 s - 1.4
    assert model.a == pytest.approx(0.2, rel=0.1) and model.b == pytest.approx(-1.4, abs=0.2)
    assert actual_dcf(model.apply(ev_b), model.apply(ev_s)) < actual_dcf(ev_b, ev_s)


def test_cllr_by_hand():
    assert cllr(np.zeros(3), np.zeros(5)) == pytest.approx(1.0)
    assert cllr(np.array([math.log(3)]), np.array([-math.log(3)])) == \
        pytest.approx(math.log2(4 / 3))
    assert cllr(np.array([50.0]), np.array([-50.0])) < 1e-20


def test_actual_dcf_by_hand_and_min_dcf_bound():
    model = DcfModel()
    assert model.bayes_threshold == pytest.approx(math.log(0.5 / 0.95))
    assert model.norm == pytest.approx(0.5)
    bona = np.array([1.0, -1.0])         # -1.0 <= tau: one miss of two
    spoof = np.array([-3.0, 0.0, -2.0])  # 0.0 > tau: one false alarm of three
    expected = (0.95 * 0.5 + 10 * 0.05 / 3) / 0.5
    assert actual_dcf(bona, spoof) == pytest.approx(expected)
    assert min_dcf(bona, spoof) <= actual_dcf(bona, spoof) + 1e-12


def test_save_load_roundtrip_and_errors(tmp_path):
    model = Calibration(a=0.5, b=-1.0, n_bonafide=3, n_spoof=4)
    model.save(tmp_path / "c.json")
    assert Calibration.load(tmp_path / "c.json") == model
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(SpoofcmError, match="not a calibration file"):
        Calibration.load(tmp_path / "bad.json")
    with pytest.raises(SpoofcmError, match="both classes"):
        fit_calibration(np.array([]), np.array([1.0]))
