"""Codec augmentation: in-memory round trips through telephony and compression codecs.

Types (``augment.codec.types``):

- ``mulaw`` / ``alaw``: G.711 companding (mu = 255, A = 87.6) with 8-bit quantisation, in numpy.
- ``gsm``: GSM 06.10 via libsndfile (WAV/GSM610), at 8 kHz (the codec's telephone rate): the
  wave is resampled 16 → 8 → 16 kHz around it, so it is band-limited too.
- ``mp3`` / ``ogg`` / ``opus``: MPEG layer III, Ogg Vorbis, Ogg Opus via libsndfile (>= 1.1 with
  its mpg123/lame and vorbis/opus back ends), at a random ``compression_level`` in [0, 1].
- ``bandlimit``: a 300-3400 Hz telephone band-pass (4th-order Butterworth, zero phase), the
  fallback where libsndfile lacks a codec.

A codec that the local libsndfile cannot write degrades to ``bandlimit`` with a warning (once).
Outputs keep the input length (trimmed or zero-padded) and dtype float32.
"""
from __future__ import annotations

import io
import warnings
from functools import lru_cache

import numpy as np
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfiltfilt

from spoofcm.errors import SpoofcmError

CODECS = ("mulaw", "alaw", "gsm", "mp3", "ogg", "opus", "bandlimit")
_SF_FORMATS = {"gsm": ("WAV", "GSM610"), "mp3": ("MP3", "MPEG_LAYER_III"),
               "ogg": ("OGG", "VORBIS"), "opus": ("OGG", "OPUS")}


def mulaw(x: np.ndarray, mu: float = 255.0, levels: int = 256) -> np.ndarray:
    """mu-law compress, quantise to ``levels`` steps, expand."""
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    y = np.round((y + 1) / 2 * (levels - 1)) / (levels - 1) * 2 - 1
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu


def alaw(x: np.ndarray, a: float = 87.6, levels: int = 256) -> np.ndarray:
    """A-law compress, quantise to ``levels`` steps, expand."""
    ax = np.abs(x)
    small = ax < 1 / a
    y = np.where(small, a * ax, 1 + np.log(np.maximum(a * ax, 1e-12))) / (1 + np.log(a))
    y = np.sign(x) * y
    y = np.round((y + 1) / 2 * (levels - 1)) / (levels - 1) * 2 - 1
    ay = np.abs(y) * (1 + np.log(a))
    return np.sign(y) * np.where(ay < 1, ay / a, np.exp(ay - 1) / a)


def bandlimit(x: np.ndarray, sr: int, low: float = 300.0, high: float = 3400.0) -> np.ndarray:
    sos = butter(4, [low, high], btype="bandpass", fs=sr, output="sos")
    return sosfiltfilt(sos, x)


@lru_cache(maxsize=None)
def sndfile_supports(codec: str) -> bool:
    fmt, subtype = _SF_FORMATS[codec]
    return fmt in sf.available_formats() and subtype in sf.available_subtypes(fmt)


def sndfile_round_trip(x: np.ndarray, sr: int, codec: str, level: float) -> np.ndarray:
    """Encode to memory with libsndfile and decode back."""
    fmt, subtype = _SF_FORMATS[codec]
    buf = io.BytesIO()
    kwargs = {"compression_level": level} if codec in ("mp3", "ogg", "opus") else {}
    sf.write(buf, np.clip(x, -1, 1).astype(np.float32), sr, format=fmt, subtype=subtype, **kwargs)
    buf.seek(0)
    y, _ = sf.read(buf, dtype="float64")
    return y


def fit_length(y: np.ndarray, n: int) -> np.ndarray:
    return y[:n] if y.size >= n else np.pad(y, (0, n - y.size))


def apply_codec(wave: np.ndarray, codec: str, rng: np.random.Generator, sr: int = 16000) -> np.ndarray:
    """Round-trip ``wave`` through ``codec``; same length, float32."""
    if codec not in CODECS:
        raise SpoofcmError(f"augment.codec: unknown type '{codec}'; choose from {', '.join(CODECS)}")
    x = np.asarray(wave, dtype=np.float64)
    if codec in _SF_FORMATS and not sndfile_supports(codec):
        warnings.warn(f"libsndfile {sf.__libsndfile_version__} cannot write {codec}; "
                      "band-limiting instead")
        codec = "bandlimit"
    level = float(rng.uniform(0.0, 1.0))
    if codec == "mulaw":
        y = mulaw(np.clip(x, -1, 1))
    elif codec == "alaw":
        y = alaw(np.clip(x, -1, 1))
    elif codec == "bandlimit":
        y = bandlimit(x, sr)
    elif codec == "gsm":
        y = resample_poly(sndfile_round_trip(resample_poly(x, 8000, sr), 8000, codec, level), sr, 8000)
    else:
        y = sndfile_round_trip(x, sr, codec, level)
    return fit_length(y, x.size).astype(np.float32)
