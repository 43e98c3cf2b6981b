"""Countermeasure metrics with official ASVspoof 2021 parity (docs/formats.md).

Stable API: :func:`compute_eer` ``(bona, spoof) -> (eer, threshold)``; DET curves, min t-DCF
(revised 2021 and legacy 2019), decomposed tables, calibration (Cllr, actual DCF) and the EER
bootstrap interval. Higher scores mean "more bona fide".
"""
from spoofcm.metrics.bootstrap import bootstrap_eers, eer_ci
from spoofcm.metrics.calibration import (Calibration, DcfModel, actual_dcf, cllr,
                                         fit_calibration, min_dcf)
from spoofcm.metrics.decompose import POOLED, Tables, compute_c012, decompose, evaluate_trials
from spoofcm.metrics.det import DetCurve, compute_eer, det_curve
from spoofcm.metrics.keys import (Trials, attach_scores, read_asv, read_cm_key,
                                  read_data_dir_trials, read_score_file)
from spoofcm.metrics.tdcf import (AsvRates, CostModel, LegacyCostModel, asv_rates,
                                  c012_from_rates, min_tdcf)

__all__ = [
    "AsvRates", "Calibration", "CostModel", "DcfModel", "DetCurve", "LegacyCostModel", "POOLED",
    "Tables", "Trials", "actual_dcf", "asv_rates", "attach_scores", "bootstrap_eers",
    "c012_from_rates", "cllr", "compute_c012", "compute_eer", "decompose", "det_curve", "eer_ci",
    "evaluate_trials", "fit_calibration", "min_dcf", "min_tdcf", "read_asv", "read_cm_key",
    "read_data_dir_trials", "read_score_file",
]
