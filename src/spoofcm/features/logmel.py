"""128-bin log mel filterbank energies, the front end of the CNN models (stage 1).

Every parameter is fixed here so that a dumped ark, a model and a paper table all mean the same
features (the defaults at 16 kHz; other rates scale the window and hop in milliseconds):

* framing: 25 ms window (400 samples), 10 ms hop (160), **no centre padding**: frame ``t``
  covers samples ``[160 t, 160 t + 400)``, ``frames = 1 + (N - 400) // 160``; an input shorter
  than one window is zero-padded to one frame. wav2vec 2.0 frame ``i`` (stride 320) starts
  where log-mel frame ``2 i`` starts.
* window: periodic Hann of 400 samples (``torch.hann_window(400)``, as torchaudio and librosa),
  zero-padded at the end to ``n_fft = 512`` (the padding only interpolates the spectrum).
* no dither, no pre-emphasis, no DC removal: the raw waveform is analysed, so features are
  deterministic and level differences stay visible to the model.
* power spectrum ``|X|^2`` (257 bins).
* mel scale: HTK, ``mel = 2595 log10(1 + f / 700)``; 128 triangular filters with peak 1 (no
  area normalisation), linear in Hz between centre frequencies equally spaced in mel from
  ``F_MIN = 25 Hz`` to ``F_MAX = 8000 Hz`` (full band: codec and vocoder artefacts live high
  up). 25 Hz rather than 0 or 20: with 512-point FFT bins (31.25 Hz apart) those leave one
  lowest filter with no bin at all (a constant channel); 25 Hz is the nearest value with none.
* log: natural log of ``mel + 1e-6`` (the floor keeps digital silence finite, about -13.8).
"""
from __future__ import annotations

import functools

import numpy as np
import torch

from spoofcm.errors import SpoofcmError

SAMPLE_RATE = 16000
N_MELS = 128
WIN_MS = 25
HOP_MS = 10
F_MIN = 25.0
F_MAX = 8000.0
LOG_FLOOR = 1e-6


def frame_sizes(sr: int = SAMPLE_RATE) -> tuple[int, int, int]:
    """``(win, hop, n_fft)`` in samples: 400, 160, 512 at 16 kHz."""
    win = sr * WIN_MS // 1000
    hop = sr * HOP_MS // 1000
    n_fft = 1 << (win - 1).bit_length()
    return win, hop, n_fft


def num_frames(num_samples: int, sr: int = SAMPLE_RATE) -> int:
    """Frames :func:`logmel` gives for ``num_samples`` (at least one)."""
    win, hop, _ = frame_sizes(sr)
    return 1 + max(0, num_samples - win) // hop


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """HTK mel scale."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = 512, n_mels: int = N_MELS,
                   f_min: float = F_MIN, f_max: float = F_MAX) -> np.ndarray:
    """Triangular filters, shape ``(n_fft // 2 + 1, n_mels)`` (float64), peak 1, no norm."""
    f_max = min(f_max, sr / 2)
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    bins = np.arange(n_fft // 2 + 1) * sr / n_fft
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bins[:, None] - lower) / (centre - lower)
    falling = (upper - bins[:, None]) / (upper - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None)


BAND = 16  # filters per block of the banded mel product


@functools.lru_cache(maxsize=16)
def _analysis(sr: int, device: torch.device,
              dtype: torch.dtype) -> tuple[torch.Tensor, tuple[tuple[int, int, torch.Tensor], ...]]:
    """Cached window (padded to n_fft) and banded mel matrix per rate and device.

    The mel matrix is almost all zeros (each FFT bin feeds at most two filters), so it is kept
    as blocks of ``BAND`` filters with only the FFT bins they touch: ``(lo, hi, W[lo:hi])``.
    The product is the same as the dense one (up to float summation order), 2-3x cheaper.
    """
    win, _, n_fft = frame_sizes(sr)
    window = torch.zeros(n_fft, dtype=dtype)
    window[:win] = torch.hann_window(win, periodic=True, dtype=torch.float64).to(dtype)
    fbank = mel_filterbank(sr, n_fft)
    bands = []
    for m0 in range(0, fbank.shape[1], BAND):
        block = fbank[:, m0:m0 + BAND]
        used = np.flatnonzero(block.any(axis=1))
        lo, hi = (int(used[0]), int(used[-1]) + 1) if used.size else (0, 0)
        bands.append((lo, hi, torch.from_numpy(block[lo:hi]).to(dtype).to(device).contiguous()))
    return window.to(device), tuple(bands)


def logmel(wave: np.ndarray | torch.Tensor, sr: int = SAMPLE_RATE) -> torch.Tensor:
    """Log mel energies of ``wave`` (``(N,)`` → ``(frames, 128)``; ``(B, N)`` → ``(B, frames, 128)``).

    Computed in float32 on ``wave``'s device. The window sits at the start of each ``n_fft``
    block (zeros after it), so ``torch.stft(center=False)`` frames exactly ``[hop t, hop t + win)``.
    """
    x = torch.from_numpy(np.asarray(wave)) if not isinstance(wave, torch.Tensor) else wave
    if x.dim() not in (1, 2):
        raise SpoofcmError(f"logmel: expected a (N,) or (B, N) waveform, got shape {tuple(x.shape)}")
    if x.shape[-1] == 0:
        raise SpoofcmError("logmel: empty waveform")
    if x.dtype != torch.float32:
        x = x.to(torch.float32)
    _, hop, n_fft = frame_sizes(sr)
    needed = (num_frames(x.shape[-1], sr) - 1) * hop + n_fft
    if x.shape[-1] >= needed:
        x = x[..., :needed]
    else:
        x = torch.nn.functional.pad(x, (0, needed - x.shape[-1]))
    window, bands = _analysis(sr, x.device, torch.float32)
    spec = torch.stft(x, n_fft, hop_length=hop, win_length=n_fft, window=window,
                      center=False, return_complex=True)
    power = (spec.real.square() + spec.imag.square()).transpose(-1, -2)   # (..., T, F)
    mel = torch.cat([torch.matmul(power[..., lo:hi], w) for lo, hi, w in bands], dim=-1)
    return mel.add_(LOG_FLOOR).log_()
