"""Acoustic front ends computed in torch (no torchaudio): one module per feature type."""
from spoofcm.features.logmel import logmel

__all__ = ["logmel"]
