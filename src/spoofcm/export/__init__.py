"""Exported detectors: one file from a 16 kHz mono waveform to the bona fide score.

* :mod:`.windows` — the window rule every runtime applies (also written to the sidecar).
* :mod:`.detector` — the ``nn.Module`` that is exported: front ends (log-mel, frozen SSL
  encoder) + the trained back end, one fixed-length window per batch row → one score per row.
* :mod:`.sidecar` — the JSON written beside the file (score convention, threshold, provenance).
* :mod:`.formats` — TorchScript and ONNX writers.
* :mod:`.runtime` — loads an exported file (TorchScript or ONNX) and scores whole waveforms.
"""
