"""RawBoost data augmentation (Tak et al., ICASSP 2022), algorithms 1-8, seeded by a Generator.

Three primitives, each a model of a channel/transmission nuisance:

1. linear and non-linear convolutive noise (LnL): ``sum_{i=1..N_f} h_i * x^i`` with ``h_i`` random
   multi-band notch FIR filters (gain 0 dB for ``i = 1``, [-20, -5] dB for the higher orders);
2. impulsive signal-dependent additive noise (ISD): up to ``P`` % of the samples, chosen at
   random, get ``x[n] * (1 + g_sd * u1 u2)`` with ``u1, u2 ~ U(-1, 1)``;
3. stationary signal-independent additive noise (SSI): white noise coloured by a random notch
   filter, added at an SNR drawn from [SNRmin, SNRmax] dB.

Algorithms: 1, 2, 3 alone; 4 = 1→2→3 in series; 5 = 1→2; 6 = 1→3; 7 = 2→3; 8 = 1 and 2 in
parallel (outputs summed and renormalised); 0 = none. Defaults (:class:`RawBoostParams`) are
the published ones (RawBoost paper and the SSL-AASIST recipes): N_f 5, nBands 5, 20-8000 Hz
centres, 100-1000 Hz bandwidths, 10-100 FIR taps, gains 0 dB, non-linear bias 5-20 dB, P 10 %,
g_sd 2, SNR 10-40 dB. Every random draw comes from the ``rng`` argument, so a seed fixes the
output.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from scipy.signal import firwin, freqz, lfilter

from spoofcm.errors import SpoofcmError


@dataclass(frozen=True)
class RawBoostParams:
    n_f: int = 5                 # LnL: highest non-linearity order
    n_bands: int = 5             # notch filter: number of bands
    min_f: float = 20.0          # band centre range (Hz)
    max_f: float = 8000.0
    min_bw: float = 100.0        # band width range (Hz)
    max_bw: float = 1000.0
    min_coeff: int = 10          # FIR length range per band
    max_coeff: int = 100
    min_g: float = 0.0           # filter gain range (dB)
    max_g: float = 0.0
    min_bias_lin_nonlin: float = 5.0    # extra attenuation (dB) of orders >= 2
    max_bias_lin_nonlin: float = 20.0
    p: float = 10.0              # ISD: max % of samples hit
    g_sd: float = 2.0            # ISD: impulse gain
    snr_min: float = 10.0        # SSI: SNR range (dB)
    snr_max: float = 40.0

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "RawBoostParams":
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise SpoofcmError(f"augment.rawboost: unknown parameter(s) {sorted(unknown)}; "
                               f"known: {sorted(known)}")
        return cls(**values)


def uniform(rng: np.random.Generator, low: float, high: float) -> float:
    """A draw between ``low`` and ``high`` in either order (the LnL gain range is reversed)."""
    return low + (high - low) * rng.random()


def norm_wav(x: np.ndarray, always: bool) -> np.ndarray:
    """Peak-normalise to 1 (always, or only when the peak exceeds 1)."""
    peak = np.max(np.abs(x)) if x.size else 0.0
    return x / peak if peak > 0 and (always or peak > 1) else x


def notch_coeffs(rng: np.random.Generator, prm: RawBoostParams, sr: int, min_g: float,
                 max_g: float) -> np.ndarray:
    """A cascade of ``n_bands`` random band-stop FIR filters, scaled to a random peak gain."""
    b = np.ones(1)
    for _ in range(prm.n_bands):
        fc = uniform(rng, prm.min_f, prm.max_f)
        bw = uniform(rng, prm.min_bw, prm.max_bw)
        taps = int(uniform(rng, prm.min_coeff, prm.max_coeff))
        taps += 1 - taps % 2                  # odd length: a band-stop FIR needs it
        lo = max(fc - bw / 2, 1e-3)
        hi = min(fc + bw / 2, sr / 2 - 1e-3)
        b = np.convolve(firwin(taps, [lo, hi], window="hamming", fs=sr), b)
    gain_db = uniform(rng, min_g, max_g)
    _, h = freqz(b, 1, fs=sr)
    return 10 ** (gain_db / 20) * b / np.max(np.abs(h))


def fir_filter(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """FIR filtering with the group delay removed, same length as ``x``."""
    n = b.size + 1
    y = lfilter(b, 1.0, np.pad(x, (0, n)))
    return y[n // 2:n // 2 + x.size]


def lnl_convolutive(x: np.ndarray, rng: np.random.Generator, prm: RawBoostParams, sr: int) -> np.ndarray:
    """Algorithm 1: linear and non-linear convolutive noise."""
    y = np.zeros_like(x)
    min_g, max_g = prm.min_g, prm.max_g
    for order in range(1, prm.n_f + 1):
        if order == 2:
            min_g, max_g = min_g - prm.min_bias_lin_nonlin, max_g - prm.max_bias_lin_nonlin
        y = y + fir_filter(x ** order, notch_coeffs(rng, prm, sr, min_g, max_g))
    return norm_wav(y - y.mean(), always=False)


def isd_additive(x: np.ndarray, rng: np.random.Generator, prm: RawBoostParams) -> np.ndarray:
    """Algorithm 2: impulsive signal-dependent additive noise."""
    beta = uniform(rng, 0, prm.p)
    n_hit = int(x.size * beta / 100)
    pos = rng.permutation(x.size)[:n_hit]
    f_r = (2 * rng.random(n_hit) - 1) * (2 * rng.random(n_hit) - 1)
    y = x.copy()
    y[pos] = x[pos] + prm.g_sd * x[pos] * f_r
    return norm_wav(y, always=False)


def ssi_additive(x: np.ndarray, rng: np.random.Generator, prm: RawBoostParams, sr: int) -> np.ndarray:
    """Algorithm 3: stationary signal-independent coloured additive noise at a random SNR."""
    noise = rng.standard_normal(x.size)
    noise = norm_wav(fir_filter(noise, notch_coeffs(rng, prm, sr, prm.min_g, prm.max_g)), always=True)
    snr_db = uniform(rng, prm.snr_min, prm.snr_max)
    noise_norm, x_norm = np.linalg.norm(noise), np.linalg.norm(x)
    if noise_norm == 0 or x_norm == 0:
        return x.copy()
    return x + noise / noise_norm * x_norm / 10 ** (0.05 * snr_db)


def rawboost(wave: np.ndarray, algo: int, rng: np.random.Generator,
             prm: RawBoostParams = RawBoostParams(), sr: int = 16000) -> np.ndarray:
    """Apply RawBoost algorithm ``algo`` (0-8) to a 1-D wave; returns float32 of the same length."""
    x = np.asarray(wave, dtype=np.float64)
    lnl = lambda v: lnl_convolutive(v, rng, prm, sr)  # noqa: E731
    isd = lambda v: isd_additive(v, rng, prm)  # noqa: E731
    ssi = lambda v: ssi_additive(v, rng, prm, sr)  # noqa: E731
    chains = {0: (), 1: (lnl,), 2: (isd,), 3: (ssi,), 4: (lnl, isd, ssi), 5: (lnl, isd),
              6: (lnl, ssi), 7: (isd, ssi)}
    if algo == 8:
        x = norm_wav(lnl(x) + isd(x), always=False)
    elif algo in chains:
        for step in chains[algo]:
            x = step(x)
    else:
        raise SpoofcmError(f"augment.rawboost: algorithm must be 0-8, got {algo}")
    return x.astype(np.float32)
