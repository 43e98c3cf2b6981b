"""LFCC front end (linear-frequency cepstral coefficients), as in the ASVspoof 2021 LFCC baselines.

Parameters (defaults = the 2021 LFCC-GMM / LFCC-LCNN baselines at 16 kHz):

- ``win_length=320`` samples (20 ms), ``hop_length=160`` (10 ms), Hamming window, no centre
  padding: frame ``t`` covers samples ``[160 t, 160 t + 320)``, frames ``= 1 + (N - 320) // 160``
  (the same convention as :mod:`spoofcm.features.logmel`; a wave shorter than one window is
  zero-padded to one frame).
- ``n_fft=512``: each frame is zero-padded to 512 points, power spectrum ``|X|^2`` of 257 bins.
- ``n_filters=20`` triangular filters with centres equally spaced on a *linear* axis between
  ``f_min=0`` and ``f_max=sr/2`` (edges ``linspace(f_min, f_max, n_filters + 2)``), unit peak.
- ``log(E + eps)`` with ``eps = float32 machine epsilon``, so silent frames stay finite.
- DCT-II, orthonormal (MATLAB ``dct``), keeping ``n_coeffs=20`` coefficients (c0 included).
- ``preemphasis``: 0 for the GMM baseline (MATLAB code has none); the LCNN baseline uses 0.97.
- Deltas: regression ``d_t = sum_n n (c_{t+n} - c_{t-n}) / (2 sum n^2)`` over ``n = 1..delta_width``
  with edge frames replicated; ``delta_width=3`` as the MATLAB baselines' ``Deltas(x, 3)``.
  Static, delta and delta-delta are concatenated: 20 + 20 + 20 = 60 features per frame.

Written in torch so models can hold it (``inputs=("wav",)``) and train on raw crops.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from spoofcm.errors import SpoofcmError


def linear_filterbank(n_filters: int, n_fft: int, sr: int, f_min: float = 0.0,
                      f_max: float | None = None) -> torch.Tensor:
    """Triangular filters on a linear frequency axis, shape (n_fft // 2 + 1, n_filters)."""
    f_max = sr / 2 if f_max is None else f_max
    if not 0 <= f_min < f_max <= sr / 2:
        raise SpoofcmError(f"lfcc: need 0 <= f_min < f_max <= sr/2, got {f_min}, {f_max}")
    freqs = torch.arange(n_fft // 2 + 1, dtype=torch.float64) * sr / n_fft
    edges = torch.linspace(f_min, f_max, n_filters + 2, dtype=torch.float64)
    lo, mid, hi = edges[:-2], edges[1:-1], edges[2:]
    up = (freqs[:, None] - lo) / (mid - lo)
    down = (hi - freqs[:, None]) / (hi - mid)
    return torch.clamp(torch.minimum(up, down), min=0.0).float()


def dct_matrix(n_in: int, n_out: int) -> torch.Tensor:
    """Orthonormal DCT-II as a (n_in, n_out) matrix: ``y = x @ D``."""
    n = torch.arange(n_in, dtype=torch.float64)
    k = torch.arange(n_out, dtype=torch.float64)
    mat = torch.cos(math.pi / n_in * (n[:, None] + 0.5) * k[None, :]) * math.sqrt(2.0 / n_in)
    mat[:, 0] /= math.sqrt(2.0)
    return mat.float()


def deltas(feats: torch.Tensor, width: int) -> torch.Tensor:
    """Regression deltas along the time axis (dim -2), edges replicated."""
    if width < 1:
        raise SpoofcmError(f"lfcc: delta width must be >= 1, got {width}")
    n_frames = feats.shape[-2]
    idx = torch.arange(n_frames, device=feats.device)
    out = torch.zeros_like(feats)
    for n in range(1, width + 1):
        ahead = feats.index_select(-2, torch.clamp(idx + n, max=n_frames - 1))
        behind = feats.index_select(-2, torch.clamp(idx - n, min=0))
        out = out + n * (ahead - behind)
    return out / (2 * sum(n * n for n in range(1, width + 1)))


def frame_signal(wave: torch.Tensor, win_length: int, hop_length: int) -> torch.Tensor:
    """(B, N) → (B, frames, win_length) without centre padding; short waves padded to 1 frame."""
    if wave.shape[-1] < win_length:
        wave = nn.functional.pad(wave, (0, win_length - wave.shape[-1]))
    return wave.unfold(-1, win_length, hop_length)


class LFCC(nn.Module):
    """Waveform (B, N) → LFCC with deltas (B, frames, 3 * n_coeffs); see the module docstring."""

    def __init__(self, sr: int = 16000, win_length: int = 320, hop_length: int = 160,
                 n_fft: int = 512, n_filters: int = 20, n_coeffs: int = 20, f_min: float = 0.0,
                 f_max: float | None = None, preemphasis: float = 0.0, delta_width: int = 3,
                 with_deltas: bool = True) -> None:
        super().__init__()
        if n_fft < win_length:
            raise SpoofcmError(f"lfcc: n_fft ({n_fft}) must be >= win_length ({win_length})")
        if n_coeffs > n_filters:
            raise SpoofcmError(f"lfcc: n_coeffs ({n_coeffs}) must be <= n_filters ({n_filters})")
        self.win_length, self.hop_length, self.n_fft = win_length, hop_length, n_fft
        self.preemphasis, self.delta_width, self.with_deltas = preemphasis, delta_width, with_deltas
        self.out_dim = n_coeffs * (3 if with_deltas else 1)
        self.register_buffer("window", torch.hamming_window(win_length, periodic=False), persistent=False)
        self.register_buffer("fbank", linear_filterbank(n_filters, n_fft, sr, f_min, f_max), persistent=False)
        self.register_buffer("dct", dct_matrix(n_filters, n_coeffs), persistent=False)

    def filterbank_energies(self, wave: torch.Tensor) -> torch.Tensor:
        """Linear filterbank energies (B, frames, n_filters), before the log."""
        if self.preemphasis:
            wave = torch.cat([wave[..., :1], wave[..., 1:] - self.preemphasis * wave[..., :-1]], -1)
        frames = frame_signal(wave, self.win_length, self.hop_length) * self.window
        power = torch.fft.rfft(frames, n=self.n_fft).abs().pow(2)
        return power @ self.fbank

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        squeeze = wave.dim() == 1
        wave = wave.unsqueeze(0) if squeeze else wave
        energies = self.filterbank_energies(wave.float())
        ceps = torch.log(energies + torch.finfo(torch.float32).eps) @ self.dct
        if self.with_deltas:
            d1 = deltas(ceps, self.delta_width)
            ceps = torch.cat([ceps, d1, deltas(d1, self.delta_width)], dim=-1)
        return ceps.squeeze(0) if squeeze else ceps


def lfcc(wave: np.ndarray | torch.Tensor, sr: int = 16000, **params) -> torch.Tensor:
    """LFCC of one wave: (frames × 60) float32 tensor with the baseline parameters."""
    if sr != params.get("sr", sr):
        raise SpoofcmError("lfcc: give the sample rate once (sr)")
    params["sr"] = sr
    tensor = torch.as_tensor(np.asarray(wave, dtype=np.float32))
    if tensor.dim() != 1:
        raise SpoofcmError(f"lfcc: expected a 1-D wave, got shape {tuple(tensor.shape)}")
    with torch.no_grad():
        return LFCC(**params)(tensor)
