"""CQCC front end (constant-Q cepstral coefficients) of the ASVspoof 2021 CQCC-GMM baseline.

Named configuration ``cqcc_gmm_2021`` (:data:`CQCC_GMM_2021`, the defaults): the 2021 script's
``cqcc(x, fs, B=12, fmax=4000, fmin=62.5, d=16, cf=19, 'ZsdD')``:

- Bins ``f_k = f_min 2^(k/B)`` for ``k = 0 .. floor(B log2(f_max / f_min))`` (the CQT toolbox's
  grid, ``f_max`` included when it lies on it): 12 bins per octave, 62.5 Hz .. 4 kHz, 73 bins.
  Bins whose window would cross 0 Hz or Nyquist are dropped, as the toolbox does.
- Bandwidth (full width of a Hann window in the frequency domain) of bin k:
  ``(2^(1/B) - 2^(-1/B)) f_k + gamma`` with the baseline's ``gamma = 228.7 (2^(1/B) - 2^(-1/B))``
  (an ERB-like widening of the low bins; ``gamma=0`` is a strict constant-Q transform).
- The CQT is computed as the toolbox's non-stationary Gabor transform: one FFT of the whole wave,
  each bin's windowed band brought to baseband and inverse-FFT'd onto a common time grid.
  ``hop_length=None`` is the toolbox's ``rasterize full``: as many frames as the widest window
  spans FFT bins (``ceil(bw_max N / sr)``, a hop of about ``sr / bw_max``: 2 ms here); an integer
  ``hop_length`` gives ``ceil(N / hop)`` frames instead.
- ``log(|X_cq|^2 + eps)``; the geometric frequency axis is resampled uniformly with a not-a-knot
  cubic spline (MATLAB ``resample(..., 'spline')``) at the spacing ``f_min (2^(kl/B) - 1)``,
  ``kl = B log2(1 + 1/d)``, i.e. ``f_min / d`` with ``d=16``, from ``f_0`` up to the top bin;
  then an orthonormal DCT-II along frequency.
- ``n_coeffs=20``: c0..c19 (``cf = 19`` plus the 0th, 'Z' of 'ZsdD'), then deltas and double
  deltas with the baseline's ``Deltas(x, 3)`` regression window: 60 features per frame.

numpy/scipy, used by the GMM baseline only (no gradients needed).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from scipy.fft import dct
from scipy.interpolate import CubicSpline

from spoofcm.errors import SpoofcmError

#: ASVspoof 2021 CQCC-GMM front end (the organisers' MATLAB call); see the module docstring.
CQCC_GMM_2021: dict[str, Any] = {
    "bins_per_octave": 12, "f_min": 62.5, "f_max": 4000.0, "gamma": None, "d": 16,
    "n_coeffs": 20, "hop_length": None, "delta_width": 3}

#: the baseline's gamma factor: gamma = ERB_GAMMA (2^(1/B) - 2^(-1/B))
ERB_GAMMA = 228.7


def bandwidths(freqs: np.ndarray, bins_per_octave: int, gamma: float | None = None) -> np.ndarray:
    """Full Hann widths (Hz) of the bins: ``(2^(1/B) - 2^(-1/B)) f + gamma``."""
    q = 2.0 ** (1.0 / bins_per_octave) - 2.0 ** (-1.0 / bins_per_octave)
    gamma = ERB_GAMMA * q if gamma is None else float(gamma)
    return q * np.asarray(freqs, dtype=np.float64) + gamma


def cq_frequencies(sr: int = 16000, bins_per_octave: int = 12, f_min: float = 62.5,
                   f_max: float = 4000.0, gamma: float | None = None) -> np.ndarray:
    """Centre frequencies ``f_min 2^(k/B)``, ``k = 0 .. floor(B log2(f_max / f_min))``, less
    those whose window crosses 0 Hz or Nyquist."""
    if not 0 < f_min < f_max <= sr / 2:
        raise SpoofcmError(f"cqcc: need 0 < f_min < f_max <= sr/2, got {f_min}, {f_max}")
    top = int(np.floor(bins_per_octave * np.log2(f_max / f_min) + 1e-9))
    freqs = f_min * 2.0 ** (np.arange(top + 1) / bins_per_octave)
    half = bandwidths(freqs, bins_per_octave, gamma) / 2
    freqs = freqs[(freqs - half >= 0) & (freqs + half <= sr / 2)]
    if freqs.size < 2:
        raise SpoofcmError(f"cqcc: band {f_min}-{f_max} Hz leaves fewer than 2 bins")
    return freqs


def cqt(wave: np.ndarray, sr: int = 16000, bins_per_octave: int = 12, f_min: float = 62.5,
        f_max: float = 4000.0, gamma: float | None = None, hop_length: int | None = None,
        min_window_bins: int = 3) -> np.ndarray:
    """Complex constant-Q transform (n_bins, frames); see the module docstring for the frames.

    A stationary sinusoid of amplitude A gives |X| close to A at its bin (Hann windows).
    """
    wave = np.asarray(wave, dtype=np.float64)
    if wave.ndim != 1 or wave.size == 0:
        raise SpoofcmError(f"cqcc: expected a non-empty 1-D wave, got shape {wave.shape}")
    freqs = cq_frequencies(sr, bins_per_octave, f_min, f_max, gamma)
    widths = bandwidths(freqs, bins_per_octave, gamma)
    if hop_length is None:  # toolbox "rasterize full": the widest window sets the time grid
        n_fft = wave.size
        n_frames = max(min_window_bins, int(np.ceil(widths.max() * n_fft / sr)))
    else:
        n_frames = max(1, int(np.ceil(wave.size / hop_length)))
        n_fft = n_frames * hop_length
    spec = np.fft.fft(wave, n=n_fft)
    half_widths = np.maximum(widths * n_fft / sr, min_window_bins) / 2
    if 2 * half_widths.max() > n_frames:
        raise SpoofcmError(f"cqcc: hop_length {hop_length} too large for the top band")
    out = np.zeros((freqs.size, n_frames), dtype=np.complex128)
    centres = freqs * n_fft / sr
    for k, (centre, half) in enumerate(zip(centres, half_widths)):
        idx = np.arange(int(np.ceil(centre - half)), int(np.floor(centre + half)) + 1)
        weights = 0.5 + 0.5 * np.cos(np.pi * (idx - centre) / half)
        out[k, (idx - int(round(centre))) % n_frames] = weights * spec[idx % n_fft]
    # unit-peak windows; ifft divides by n_frames, 2 n_frames / n_fft restores a sinusoid's amplitude
    return np.fft.ifft(out, axis=1) * (2.0 * n_frames / n_fft)


def regression_deltas(feats: np.ndarray, width: int = 3) -> np.ndarray:
    """Deltas along axis 0 (frames), edges replicated (MATLAB ``Deltas(x, width)``)."""
    padded = np.pad(feats, ((width, width), (0, 0)), mode="edge")
    n_frames = feats.shape[0]
    num = sum(n * (padded[width + n:width + n + n_frames] - padded[width - n:width - n + n_frames])
              for n in range(1, width + 1))
    return num / (2 * sum(n * n for n in range(1, width + 1)))


def uniform_axis(freqs: np.ndarray, bins_per_octave: int, d: int) -> np.ndarray:
    """The resampling grid: ``f_0 + j T`` up to the top bin, ``T = f_0 (2^(kl/B) - 1)``."""
    kl = bins_per_octave * np.log2(1.0 + 1.0 / d)
    step = freqs[0] * (2.0 ** (kl / bins_per_octave) - 1.0)
    n = int(np.floor((freqs[-1] - freqs[0]) / step + 1e-9)) + 1
    return freqs[0] + step * np.arange(n)


@lru_cache(maxsize=8)
def cepstral_matrix(sr: int, bins_per_octave: int, f_min: float, f_max: float,
                    gamma: float | None, d: int, n_coeffs: int) -> np.ndarray:
    """(n_coeffs, n_bins): spline resampling to the uniform axis followed by the DCT, as one
    linear map (a not-a-knot cubic spline is linear in the data), so each wave costs one
    small matrix product instead of a spline evaluation and a long DCT per frame."""
    freqs = cq_frequencies(sr, bins_per_octave, f_min, f_max, gamma)
    uniform = uniform_axis(freqs, bins_per_octave, d)
    if n_coeffs > uniform.size:
        raise SpoofcmError(f"cqcc: n_coeffs {n_coeffs} > {uniform.size} resampled bins")
    resample = CubicSpline(freqs, np.eye(freqs.size), axis=0)(uniform)
    return dct(resample, type=2, norm="ortho", axis=0)[:n_coeffs]


def cqcc(wave: np.ndarray, sr: int = 16000, bins_per_octave: int = 12, f_min: float = 62.5,
         f_max: float = 4000.0, gamma: float | None = None, d: int = 16, n_coeffs: int = 20,
         hop_length: int | None = None, delta_width: int = 3,
         with_deltas: bool = True) -> np.ndarray:
    """CQCC of one wave: (frames × 3 n_coeffs) float32; defaults = ``cqcc_gmm_2021``."""
    spectrum = cqt(wave, sr, bins_per_octave, f_min, f_max, gamma, hop_length)
    log_power = np.log(np.abs(spectrum) ** 2 + np.finfo(np.float64).eps)
    ceps = (cepstral_matrix(sr, bins_per_octave, float(f_min), float(f_max), gamma, d,
                            n_coeffs) @ log_power).T
    if with_deltas:
        d1 = regression_deltas(ceps, delta_width)
        ceps = np.concatenate([ceps, d1, regression_deltas(d1, delta_width)], axis=1)
    return ceps.astype(np.float32)
