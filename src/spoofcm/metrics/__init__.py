"""Countermeasure metrics with official ASVspoof 2021 parity (docs/formats.md).

Stable API: :func:`compute_eer` ``(bona, spoof) -> (eer, threshold)``; DET curves, min t-DCF
(revised 2021 and legacy 2019), decomposed tables, calibration (Cllr, actual DCF) and the EER
bootstrap interval; ASVspoof 5 Track 1 (:func:`track1_metrics`) and Track 2
(:func:`track2_metrics`: min a-DCF, min t-DCF, t-EER). Higher scores mean "more bona fide".
"""
from spoofcm.metrics.asvspoof5 import Track1Metrics, track1_metrics
from spoofcm.metrics.asvspoof5_io import read_track1, read_track2
from spoofcm.metrics.bootstrap import bootstrap_eers, eer_ci
from spoofcm.metrics.calibration import (Calibration, DcfModel, actual_dcf, cllr,
                                         fit_calibration, min_dcf)
from spoofcm.metrics.decompose import POOLED, Tables, compute_c012, decompose, evaluate_trials
from spoofcm.metrics.det import DetCurve, compute_eer, det_curve
from spoofcm.metrics.keys import (Trials, attach_scores, read_asv, read_cm_key,
                                  read_data_dir_trials, read_score_file)
from spoofcm.metrics.sasv import (Track2Metrics, min_a_dcf, min_tdcf_fixed_asv, t_eer,
                                  track2_metrics)
from spoofcm.metrics.tdcf import (AsvRates, CostModel, LegacyCostModel, asv_rates,
                                  c012_from_rates, min_tdcf)

__all__ = [
    "AsvRates", "Calibration", "CostModel", "DcfModel", "DetCurve", "LegacyCostModel", "POOLED",
    "Tables", "Trials", "actual_dcf", "asv_rates", "attach_scores", "bootstrap_eers",
    "c012_from_rates", "cllr", "compute_c012", "compute_eer", "decompose", "det_curve", "eer_ci",
    "evaluate_trials", "fit_calibration", "min_dcf", "min_tdcf", "read_asv", "read_cm_key",
    "read_data_dir_trials", "read_score_file", "Track1Metrics", "Track2Metrics", "min_a_dcf",
    "min_tdcf_fixed_asv", "read_track1", "read_track2", "t_eer", "track1_metrics",
    "track2_metrics",
]
