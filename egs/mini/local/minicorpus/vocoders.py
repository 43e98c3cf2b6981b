"""Vocoder attacks: copy-synthesis and voice conversion with real signal-processing vocoders.

WORLD (pyworld) and MLSA (pysptk) convert a source voice towards the target speaker's F0 and
formant scale; Griffin-Lim and LPC re-synthesise; codec2 is the low-rate speech codec of the
Debian `codec2` package. All take and return float32 mono at 16 kHz.
"""
from __future__ import annotations

import subprocess
import warnings

import numpy as np
from scipy import signal
from scipy.linalg import solve_toeplitz

from .dsp import SR, resample

FRAME_MS = 5.0


def _pyworld():
    with warnings.catch_warnings():  # pyworld imports the deprecated pkg_resources
        warnings.simplefilter("ignore")
        import pyworld
    return pyworld


def _pysptk():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pysptk
        from pysptk.synthesis import MLSADF, Synthesizer
    return pysptk, MLSADF, Synthesizer


def median_f0(x: np.ndarray) -> float:
    """Median F0 (Hz) of the voiced frames, by WORLD's DIO + StoneMask."""
    pw = _pyworld()
    x64 = x.astype(np.float64)
    f0, t = pw.dio(x64, SR, frame_period=FRAME_MS)
    f0 = pw.stonemask(x64, f0, t, SR)
    voiced = f0[f0 > 0]
    return float(np.median(voiced)) if voiced.size else 150.0


def _warp_envelope(sp: np.ndarray, alpha: float) -> np.ndarray:
    """Scale the frequency axis of spectral envelopes by `alpha` (>1 raises formants)."""
    k = sp.shape[1]
    src = np.clip(np.arange(k) / alpha, 0, k - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, k - 1)
    w = src - lo
    return np.ascontiguousarray(sp[:, lo] * (1.0 - w) + sp[:, hi] * w)


def world_vc(x: np.ndarray, f0_target: float, warp: float) -> np.ndarray:
    """WORLD analysis/synthesis with F0 moved to `f0_target` and formants scaled by `warp`."""
    pw = _pyworld()
    x64 = x.astype(np.float64)
    f0, t = pw.dio(x64, SR, frame_period=FRAME_MS)
    f0 = pw.stonemask(x64, f0, t, SR)
    sp = pw.cheaptrick(x64, f0, t, SR)
    ap = pw.d4c(x64, f0, t, SR)
    voiced = f0[f0 > 0]
    ratio = f0_target / float(np.median(voiced)) if voiced.size else 1.0
    y = pw.synthesize(f0 * ratio, _warp_envelope(sp, warp), ap, SR, FRAME_MS)
    return y.astype(np.float32)


def mlsa_vc(x: np.ndarray, f0_target: float, alpha_shift: float) -> np.ndarray:
    """Mel-cepstral analysis + MLSA filter (pysptk) with pulse/noise excitation.

    Analysing with all-pass constant 0.42 and synthesising with `0.42 + alpha_shift` warps
    the frequency axis; F0 is moved to `f0_target`.
    """
    pysptk, MLSADF, Synthesizer = _pysptk()
    hop, n, order, alpha = 80, 512, 24, 0.42
    x64 = x.astype(np.float64)
    f0 = pysptk.swipe(x64 * 32768.0, fs=SR, hopsize=hop, min=60, max=450, otype="f0")
    voiced = f0[f0 > 0]
    if voiced.size:
        f0 = f0 * (f0_target / float(np.median(voiced)))
    padded = np.pad(x64, (n // 2, n // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, n)[::hop][: len(f0)]
    frames = frames * np.blackman(n)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    # a 50 dB floor under each frame's peak keeps the cepstrum (and the MLSA filter) tame
    # for band-limited sources and silent frames
    power = np.maximum(power, power.max(axis=1, keepdims=True) * 1e-5) + 1e-8
    mc = pysptk.sp2mc(power, order, alpha)
    b = pysptk.mc2b(mc, alpha + alpha_shift)
    pitch = np.where(f0 > 0, SR / np.maximum(f0, 1e-3), 0.0)
    exc = pysptk.excite(pitch.astype(np.float64), hop, gaussian=True, seed=1)
    y = Synthesizer(MLSADF(order=order, alpha=alpha + alpha_shift), hop).synthesis(exc, b)
    return y.astype(np.float32)


def _mel_filterbank(n_fft: int, n_mels: int, f_lo: float, f_hi: float) -> np.ndarray:
    """HTK-style triangular mel filters, shape (n_mels, n_fft // 2 + 1)."""
    mel = lambda f: 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)  # noqa: E731
    edges = 700.0 * (10.0 ** (np.linspace(mel(f_lo), mel(f_hi), n_mels + 2) / 2595.0) - 1.0)
    bins = np.arange(n_fft // 2 + 1) * SR / n_fft
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0.0, None)


def griffin_lim(x: np.ndarray, rng: np.random.Generator, iters: int = 32, n_fft: int = 1024,
                hop: int = 256, n_mels: int = 80) -> np.ndarray:
    """Griffin-Lim vocoder copy synthesis, as TTS toolkits run it without a neural vocoder.

    The source's 80-band mel spectrogram (80-7600 Hz) is mapped back to a linear magnitude by
    the filterbank's pseudo-inverse (ESPnet's ``logmel2linear``) and the phase is rebuilt by
    32 Griffin-Lim iterations from a random start on a 1024-point STFT with hop 256 (ESPnet2's
    defaults). Inverting the magnitude of the very same STFT instead would be near-perfect
    re-synthesis, not a vocoder attack.
    """
    kw = dict(fs=SR, nperseg=n_fft, noverlap=n_fft - hop)
    _, _, spec = signal.stft(x, **kw)
    fb = _mel_filterbank(n_fft, n_mels, 80.0, 7600.0)
    mag = np.maximum(np.linalg.pinv(fb) @ (fb @ np.abs(spec)), 1e-10)
    phase = np.exp(2j * np.pi * rng.random(mag.shape))
    for _ in range(iters):
        _, y = signal.istft(mag * phase, **kw)
        _, _, est = signal.stft(y, **kw)
        phase = np.exp(1j * np.angle(est[:, : mag.shape[1]]))
    _, y = signal.istft(mag * phase, **kw)
    return y[: len(x)].astype(np.float32)


def _lpc(frame: np.ndarray, order: int) -> tuple[np.ndarray, float]:
    r = np.correlate(frame, frame, "full")[len(frame) - 1: len(frame) + order]
    if r[0] <= 1e-10:
        return np.r_[1.0, np.zeros(order)], 0.0
    r[0] *= 1.0 + 1e-4  # white-noise correction keeps the system well conditioned
    a = solve_toeplitz(r[:order], r[1: order + 1])
    err = max(r[0] - float(np.dot(a, r[1: order + 1])), 0.0)
    return np.r_[1.0, -a], err / len(frame)


def lpc_resynth(x: np.ndarray, f0_target: float, order: int = 18) -> np.ndarray:
    """LPC vocoder: all-pole envelope per 20 ms frame, pulse-train/noise excitation.

    The pitch track is the source's (DIO), moved to the target speaker's median F0.
    """
    pw = _pyworld()
    x64 = x.astype(np.float64)
    f0, t = pw.dio(x64, SR, frame_period=FRAME_MS)
    voiced = f0[f0 > 0]
    if voiced.size:
        f0 = f0 * (f0_target / float(np.median(voiced)))
    f0_s = np.interp(np.arange(len(x)) / SR, t, f0)
    phase = np.cumsum(np.where(f0_s > 0, f0_s, 0.0)) / SR
    pulses = np.diff(np.floor(phase), prepend=0.0) * np.sqrt(np.maximum(SR / np.maximum(f0_s, 1), 1))
    noise = np.random.default_rng(7).standard_normal(len(x))
    exc = np.where(f0_s > 0, pulses, noise)
    win, hop = 320, 160
    w = np.hanning(win + 1)[:-1]
    y = np.zeros(len(x) + win)
    for start in range(0, max(len(x) - win, 0) + 1, hop):
        seg = x64[start: start + win] * w
        a, err = _lpc(seg, order)
        out = signal.lfilter([np.sqrt(err)], a, exc[start: start + win])
        y[start: start + win] += out * w
    return y[: len(x)].astype(np.float32)


def codec2(x: np.ndarray, mode: str) -> np.ndarray:
    """Encode and decode with codec2 (`c2enc`/`c2dec`, 8 kHz) at bit rate `mode`."""
    pcm = (np.clip(resample(x, SR, 8000), -1, 1) * 32767).astype("<i2").tobytes()
    enc = subprocess.run(["c2enc", mode, "-", "-"], input=pcm, capture_output=True, check=True)
    dec = subprocess.run(["c2dec", mode, "-", "-"], input=enc.stdout, capture_output=True,
                         check=True)
    y = np.frombuffer(dec.stdout, dtype="<i2").astype(np.float32) / 32768.0
    return resample(y, 8000, SR)
