"""LFCC front end (linear-frequency cepstral coefficients) and its named configurations.

One :class:`LFCC` module covers the three configurations spoofcm uses; each differs from the
others in facts that change the numbers (checked against the organisers' own outputs in
``tests/features/test_lfcc_official.py``):

- ``lfcc_lcnn_2021`` (:data:`LFCC_LCNN_2021`): the ASVspoof 2021 LFCC-LCNN front end
  (``sandbox/util_frontend.LFCC`` with ``project/baseline_LA/model.py``'s arguments): 20 ms
  periodic Hamming window, 10 ms hop, ``torch.stft`` framing (``framing="center"``: n_fft // 2
  zeros at both ends, the window centred in the 1024-point frame, ``1 + N // hop`` frames),
  pre-emphasis 0.97, FFT bins ``[0, int(0.5 (n_fft/2 + 1)))`` i.e. 0–4 kHz (``band="bins"``:
  filter edges run from the first to the last kept bin), 20 filters, ``log10``, orthonormal DCT,
  c0 replaced by ``log10(sum |X|^2 / n_fft + eps)`` over the kept bins, deltas as the plain
  difference ``x[t+1] - x[t-1]`` (``delta_kind="difference"``), edges replicated → 60 dims.
- ``lfcc_gmm_2021`` (:data:`LFCC_GMM_2021`): the 2021 LFCC-GMM MATLAB ``lfcc_bp.m``: MATLAB
  ``buffer(x, 480, 240, 'nodelay')`` framing (``framing="buffer"``: 30 ms frames, 50 % overlap,
  ``ceil((N - 240) / 240)`` frames, the last zero-padded), symmetric Hamming, 1024-point FFT,
  70 filters over 0–4 kHz, ``log10(E + 2^-52)``, DCT, c0..c18, HTK regression deltas with a
  half-window of 1, computed in float64 as MATLAB does → 57 dims.
- ``lfcc_legacy`` (the class defaults): spoofcm's earlier front end, kept because
  ``lfcc_ecapa_tdnn`` is defined on it: no centre padding (``1 + (N - 320) // 160`` frames),
  symmetric Hamming, 512-point FFT, 20 filters over 0–8 kHz, natural log, regression deltas.

Written in torch so models can hold it (``inputs=("wav",)``) and train on raw crops.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from spoofcm.errors import SpoofcmError

#: ASVspoof 2021 LFCC-LCNN front end (organisers' PyTorch code); see the module docstring.
LFCC_LCNN_2021: dict[str, Any] = {
    "win_length": 320, "hop_length": 160, "n_fft": 1024, "framing": "center",
    "periodic_window": True, "preemphasis": 0.97, "f_min": 0.0, "f_max": 4000.0, "band": "bins",
    "n_filters": 20, "n_coeffs": 20, "log10": True, "energy_c0": True,
    "delta_kind": "difference", "delta_width": 1}

#: ASVspoof 2021 LFCC-GMM front end (organisers' MATLAB lfcc_bp.m); see the module docstring.
LFCC_GMM_2021: dict[str, Any] = {
    "win_length": 480, "hop_length": 240, "n_fft": 1024, "framing": "buffer",
    "periodic_window": False, "preemphasis": 0.0, "f_min": 0.0, "f_max": 4000.0, "band": "hz",
    "n_filters": 70, "n_coeffs": 19, "log10": True, "eps": float(np.finfo(np.float64).eps),
    "energy_c0": False, "delta_kind": "regression", "delta_width": 1, "float64": True}

FRAMINGS = ("valid", "center", "buffer")
BANDS = ("hz", "bins")
DELTA_KINDS = ("regression", "difference")


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
    return torch.clamp(torch.minimum(up, down), min=0.0)


def band_bins(n_fft: int, sr: int, f_min: float, f_max: float, band: str) -> tuple[int, int]:
    """FFT bins ``[lo, hi)`` of the analysis band.

    ``"bins"`` is the PyTorch baseline's rule (band given as fractions of Nyquist, bins
    ``int(frac * (n_fft // 2 + 1))``, upper one excluded); ``"hz"`` keeps the bins nearest to
    ``f_min`` and ``f_max``, both included (MATLAB baseline)."""
    n_bins, nyq = n_fft // 2 + 1, sr / 2
    if band == "bins":
        return int(f_min / nyq * n_bins), int(f_max / nyq * n_bins)
    step = sr / n_fft
    return int(round(f_min / step)), int(round(f_max / step)) + 1


def dct_matrix(n_in: int, n_out: int) -> torch.Tensor:
    """Orthonormal DCT-II as a (n_in, n_out) float64 matrix: ``y = x @ D``."""
    n = torch.arange(n_in, dtype=torch.float64)
    k = torch.arange(n_out, dtype=torch.float64)
    mat = torch.cos(math.pi / n_in * (n[:, None] + 0.5) * k[None, :]) * math.sqrt(2.0 / n_in)
    mat[:, 0] /= math.sqrt(2.0)
    return mat


def deltas(feats: torch.Tensor, width: int, kind: str = "regression") -> torch.Tensor:
    """Deltas along the time axis (dim -2), edges replicated.

    ``regression``: ``sum_n n (x[t+n] - x[t-n]) / (2 sum n^2)`` (HTK, MATLAB ``Deltas``);
    ``difference``: ``x[t+1] - x[t-1]`` (the PyTorch LCNN baseline; ``width`` must be 1)."""
    if width < 1:
        raise SpoofcmError(f"lfcc: delta width must be >= 1, got {width}")
    if kind not in DELTA_KINDS:
        raise SpoofcmError(f"lfcc: delta_kind must be one of {DELTA_KINDS}, got '{kind}'")
    n_frames = feats.shape[-2]
    idx = torch.arange(n_frames, device=feats.device)
    out = torch.zeros_like(feats)
    for n in range(1, width + 1):
        ahead = feats.index_select(-2, torch.clamp(idx + n, max=n_frames - 1))
        behind = feats.index_select(-2, torch.clamp(idx - n, min=0))
        out = out + n * (ahead - behind)
    if kind == "difference":
        if width != 1:
            raise SpoofcmError("lfcc: delta_kind 'difference' needs delta_width 1")
        return out
    return out / (2 * sum(n * n for n in range(1, width + 1)))


def frame_signal(wave: torch.Tensor, win_length: int, hop_length: int, framing: str = "valid",
                 n_fft: int | None = None) -> torch.Tensor:
    """(B, N) → (B, frames, win_length).

    ``valid``: frames inside the wave, ``1 + (N - win) // hop``; ``center``: as ``torch.stft``
    (``n_fft // 2`` zeros at both ends, window centred in the n_fft frame), ``1 + N // hop``;
    ``buffer``: MATLAB ``buffer(x, win, win - hop, 'nodelay')``, ``ceil((N - win + hop) / hop)``
    frames, the last zero-padded. Every framing gives at least one frame."""
    n = wave.shape[-1]
    if framing == "center":
        n_fft = n_fft or win_length
        half = n_fft // 2
        offset = (n_fft - win_length) // 2  # torch.stft's window placement inside the frame
        padded = nn.functional.pad(wave, (half - offset, half - offset))
        return padded.unfold(-1, win_length, hop_length)[..., :1 + n // hop_length, :]
    if framing == "buffer":
        n_frames = max(1, -(-(n - win_length + hop_length) // hop_length))
        need = (n_frames - 1) * hop_length + win_length
        return nn.functional.pad(wave, (0, max(0, need - n)))[..., :need].unfold(
            -1, win_length, hop_length)
    if framing != "valid":
        raise SpoofcmError(f"lfcc: framing must be one of {FRAMINGS}, got '{framing}'")
    if n < win_length:
        wave = nn.functional.pad(wave, (0, win_length - n))
    return wave.unfold(-1, win_length, hop_length)


class LFCC(nn.Module):
    """Waveform (B, N) → LFCC with deltas (B, frames, 3 * n_coeffs); see the module docstring.

    Defaults are the ``lfcc_legacy`` configuration; :data:`LFCC_LCNN_2021` and
    :data:`LFCC_GMM_2021` hold the official ones."""

    def __init__(self, sr: int = 16000, win_length: int = 320, hop_length: int = 160,
                 n_fft: int = 512, n_filters: int = 20, n_coeffs: int = 20, f_min: float = 0.0,
                 f_max: float | None = None, preemphasis: float = 0.0, delta_width: int = 3,
                 with_deltas: bool = True, framing: str = "valid", periodic_window: bool = False,
                 band: str = "hz", log10: bool = False, eps: float | None = None,
                 energy_c0: bool = False, delta_kind: str = "regression",
                 float64: bool = False) -> None:
        super().__init__()
        if n_fft < win_length:
            raise SpoofcmError(f"lfcc: n_fft ({n_fft}) must be >= win_length ({win_length})")
        if n_coeffs > n_filters:
            raise SpoofcmError(f"lfcc: n_coeffs ({n_coeffs}) must be <= n_filters ({n_filters})")
        for key, value, allowed in (("framing", framing, FRAMINGS), ("band", band, BANDS),
                                    ("delta_kind", delta_kind, DELTA_KINDS)):
            if value not in allowed:
                raise SpoofcmError(f"lfcc: {key} must be one of {allowed}, got '{value}'")
        f_max = sr / 2 if f_max is None else float(f_max)
        self.win_length, self.hop_length, self.n_fft = win_length, hop_length, n_fft
        self.preemphasis, self.delta_width, self.with_deltas = preemphasis, delta_width, with_deltas
        self.framing, self.log10, self.energy_c0 = framing, log10, energy_c0
        self.delta_kind, self.float64 = delta_kind, float64
        self.eps = float(np.finfo(np.float32).eps) if eps is None else float(eps)
        self.out_dim = n_coeffs * (3 if with_deltas else 1)
        lo, hi = band_bins(n_fft, sr, f_min, f_max, band)
        if not 0 <= lo < hi - 1 < n_fft // 2 + 1:
            raise SpoofcmError(f"lfcc: band {f_min}-{f_max} Hz keeps no FFT bins (n_fft {n_fft})")
        self.bins = (lo, hi)
        edges = (lo * sr / n_fft, (hi - 1) * sr / n_fft) if band == "bins" else (f_min, f_max)
        window = torch.hamming_window(win_length, periodic=periodic_window, dtype=torch.float64)
        fbank = linear_filterbank(n_filters, n_fft, sr, *edges)[lo:hi]
        self.register_buffer("window", window, persistent=False)
        self.register_buffer("fbank", fbank, persistent=False)
        self.register_buffer("dct", dct_matrix(n_filters, n_coeffs), persistent=False)

    def power_spectrum(self, wave: torch.Tensor) -> torch.Tensor:
        """|X|^2 of the band's FFT bins (B, frames, bins), after pre-emphasis and framing."""
        if self.preemphasis:
            wave = torch.cat([wave[..., :1], wave[..., 1:] - self.preemphasis * wave[..., :-1]], -1)
        frames = frame_signal(wave, self.win_length, self.hop_length, self.framing, self.n_fft)
        power = torch.fft.rfft(frames * self.window.to(wave.dtype), n=self.n_fft).abs().pow(2)
        return power[..., self.bins[0]:self.bins[1]]

    def filterbank_energies(self, wave: torch.Tensor) -> torch.Tensor:
        """Linear filterbank energies (B, frames, n_filters), before the log."""
        return self.power_spectrum(wave) @ self.fbank.to(wave.dtype)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        squeeze = wave.dim() == 1
        wave = wave.unsqueeze(0) if squeeze else wave
        wave = wave.double() if self.float64 else wave.float()
        power = self.power_spectrum(wave)
        log = torch.log10 if self.log10 else torch.log
        ceps = log(power @ self.fbank.to(wave.dtype) + self.eps) @ self.dct.to(wave.dtype)
        if self.energy_c0:
            energy = log(power.sum(dim=-1) / self.n_fft + self.eps)
            ceps = torch.cat([energy.unsqueeze(-1), ceps[..., 1:]], dim=-1)
        if self.with_deltas:
            d1 = deltas(ceps, self.delta_width, self.delta_kind)
            ceps = torch.cat([ceps, d1, deltas(d1, self.delta_width, self.delta_kind)], dim=-1)
        ceps = ceps.float()
        return ceps.squeeze(0) if squeeze else ceps


def lfcc(wave: np.ndarray | torch.Tensor, sr: int = 16000, **params: Any) -> torch.Tensor:
    """LFCC of one wave: (frames × 3 n_coeffs) float32 tensor; ``params`` as :class:`LFCC`."""
    if sr != params.get("sr", sr):
        raise SpoofcmError("lfcc: give the sample rate once (sr)")
    params["sr"] = sr
    tensor = torch.as_tensor(np.asarray(wave, dtype=np.float32))
    if tensor.dim() != 1:
        raise SpoofcmError(f"lfcc: expected a 1-D wave, got shape {tuple(tensor.shape)}")
    with torch.no_grad():
        return LFCC(**params)(tensor)
