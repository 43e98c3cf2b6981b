"""CQCC front end (constant-Q cepstral coefficients), as in the ASVspoof 2019/2021 CQCC-GMM baseline.

Parameters (defaults = the baseline's MATLAB ``cqcc(x, fs, B, fmax, fmin, d, cf, 'ZsdD')``):

- ``bins_per_octave=96`` (B), ``f_max = sr/2`` (Nyquist), ``f_min = f_max / 2**9`` (15.625 Hz at
  16 kHz, the baseline's ``fmax/2^9``): 9 octaves, 864 bins at ``f_k = f_min 2^(k/B)``.
- Constant Q: ``Q = 1 / (2^(1/B) - 1)`` (about 138), bandwidth of bin k ``f_k / Q``.
- The CQT is computed in the frequency domain, as the non-stationary Gabor transform of the
  MATLAB CQT toolbox that the baseline uses: one FFT of the whole wave, a Hann window of full
  width ``2 f_k / Q`` (at least ``min_window_bins`` FFT bins) around each ``f_k``, and an inverse
  FFT per bin onto a common time grid with ``hop_length=128`` samples (8 ms) — the finest hop
  that does not alias the widest (top) band. Cost: one FFT plus one batched inverse FFT.
- ``log(|X_cq|^2 + eps)``; the geometric frequency axis is resampled uniformly with a cubic
  spline at spacing ``f_min / d`` with ``d=16`` (the baseline's period ``f_min (2^(kl/B) - 1)``,
  ``kl = B log2(1 + 1/d)``), then DCT-II (orthonormal) along frequency.
- ``n_coeffs=20``: c0..c19 (19 coefficients + the 0th, 'Z' of 'ZsdD'), then deltas and
  double deltas with the baseline's ``Deltas(x, 3)`` regression window: 60 features per frame.

numpy/scipy, used by the GMM baseline only (no gradients needed).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.fft import dct
from scipy.interpolate import CubicSpline

from spoofcm.errors import SpoofcmError


def cq_frequencies(sr: int = 16000, bins_per_octave: int = 96, f_min: float | None = None,
                   f_max: float | None = None) -> np.ndarray:
    """Centre frequencies ``f_min 2^(k/B)`` strictly below ``f_max``."""
    f_max = sr / 2 if f_max is None else f_max
    f_min = f_max / 2 ** 9 if f_min is None else f_min
    if not 0 < f_min < f_max <= sr / 2:
        raise SpoofcmError(f"cqcc: need 0 < f_min < f_max <= sr/2, got {f_min}, {f_max}")
    n_bins = int(np.ceil(bins_per_octave * np.log2(f_max / f_min)))
    return f_min * 2.0 ** (np.arange(n_bins) / bins_per_octave)


def cqt(wave: np.ndarray, sr: int = 16000, bins_per_octave: int = 96, f_min: float | None = None,
        f_max: float | None = None, hop_length: int = 128, min_window_bins: int = 3) -> np.ndarray:
    """Complex constant-Q transform (n_bins, frames); frames = ceil(N / hop_length).

    A stationary sinusoid of amplitude A gives |X| close to A at its bin (Hann windows).
    """
    wave = np.asarray(wave, dtype=np.float64)
    if wave.ndim != 1 or wave.size == 0:
        raise SpoofcmError(f"cqcc: expected a non-empty 1-D wave, got shape {wave.shape}")
    freqs = cq_frequencies(sr, bins_per_octave, f_min, f_max)
    q = 1.0 / (2.0 ** (1.0 / bins_per_octave) - 1.0)
    n_frames = max(1, int(np.ceil(wave.size / hop_length)))
    n_fft = n_frames * hop_length
    spec = np.fft.fft(wave, n=n_fft)
    half_widths = np.maximum(freqs / q * n_fft / sr, min_window_bins / 2)
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


@lru_cache(maxsize=8)
def cepstral_matrix(sr: int, bins_per_octave: int, f_min: float, f_max: float, d: int,
                    n_coeffs: int) -> np.ndarray:
    """(n_coeffs, n_bins): spline resampling to the uniform axis followed by the DCT, as one
    linear map (a not-a-knot cubic spline is linear in the data), so each wave costs one
    small matrix product instead of a spline evaluation and a long DCT per frame."""
    freqs = cq_frequencies(sr, bins_per_octave, f_min, f_max)
    uniform = np.arange(freqs[0], freqs[-1], f_min / d)
    resample = CubicSpline(freqs, np.eye(freqs.size), axis=0)(uniform)
    return dct(resample, type=2, norm="ortho", axis=0)[:n_coeffs]


def cqcc(wave: np.ndarray, sr: int = 16000, bins_per_octave: int = 96, f_min: float | None = None,
         f_max: float | None = None, d: int = 16, n_coeffs: int = 20, hop_length: int = 128,
         delta_width: int = 3, with_deltas: bool = True) -> np.ndarray:
    """CQCC of one wave: (frames × 60) float32 with the baseline parameters."""
    f_max_ = sr / 2 if f_max is None else f_max
    f_min_ = f_max_ / 2 ** 9 if f_min is None else f_min
    spectrum = cqt(wave, sr, bins_per_octave, f_min_, f_max_, hop_length)
    log_power = np.log(np.abs(spectrum) ** 2 + np.finfo(np.float64).eps)
    ceps = (cepstral_matrix(sr, bins_per_octave, f_min_, f_max_, d, n_coeffs) @ log_power).T
    if with_deltas:
        d1 = regression_deltas(ceps, delta_width)
        ceps = np.concatenate([ceps, d1, regression_deltas(d1, delta_width)], axis=1)
    return ceps.astype(np.float32)
