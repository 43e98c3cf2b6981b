"""The one label convention of spoofcm, used by training, scoring and the metrics alike.

Class index 1 = bona fide, 0 = spoof: the training target, the model's output column, and the
code a key's ``bonafide``/``spoof`` label gets in :class:`spoofcm.metrics.keys.Trials`.
The score is ``logit[BONAFIDE] - logit[SPOOF]``: higher = more bona fide, as the ASVspoof
scorers expect.
"""
from __future__ import annotations

BONAFIDE = 1
SPOOF = 0
#: label names by class index (``CM_LABELS[BONAFIDE] == "bonafide"``)
CM_LABELS: tuple[str, str] = ("spoof", "bonafide")
#: label name -> class index
CLASS_INDEX: dict[str, int] = {name: i for i, name in enumerate(CM_LABELS)}
