"""Reading audio for every stage: soundfile decode, mono, 16 kHz float32.

All features and models assume 16 kHz mono; a file that is not is converted here (with a
warning that names it) so that no stage silently sees audio at the wrong rate. Anything that
cannot be decoded, or holds no samples, is a :class:`SpoofcmError` naming the file, so a
sharded job fails with one line instead of a libsndfile traceback.
"""
from __future__ import annotations

import math
import os
import warnings

import numpy as np
import soundfile as sf

from spoofcm.errors import SpoofcmError

TARGET_SR = 16000


class AudioWarning(UserWarning):
    """A file was converted (resampled or mixed down) on reading."""


def resample(wave: np.ndarray, sr: int, target_sr: int = TARGET_SR) -> np.ndarray:
    """Polyphase resampling (scipy ``resample_poly``, Kaiser window) to ``target_sr``.

    The output has ``ceil(len(wave) * target_sr / sr)`` samples, see :func:`resampled_length`.
    """
    if sr == target_sr:
        return wave
    from scipy.signal import resample_poly  # imported here: scipy.signal takes seconds to load

    g = math.gcd(int(sr), int(target_sr))
    out = resample_poly(wave.astype(np.float64), target_sr // g, sr // g)
    return out.astype(np.float32)


def resampled_length(num_samples: int, sr: int, target_sr: int = TARGET_SR) -> int:
    """Length that :func:`resample` gives, so sizes can be known from the header alone."""
    if sr == target_sr:
        return int(num_samples)
    g = math.gcd(int(sr), int(target_sr))
    up, down = target_sr // g, sr // g
    return -(-int(num_samples) * up // down)


def flac_streaminfo(path: str | os.PathLike) -> tuple[int, int, int] | None:
    """``(frames, samplerate, channels)`` from a FLAC file's STREAMINFO block, else None.

    Stage 0 reads the length of every trial (611,829 for DF); opening each file through
    libsndfile costs ~0.5 ms, reading these 42 bytes ~0.05 ms. None (use libsndfile) for
    anything unusual: not FLAC (or behind an ID3 tag), no STREAMINFO first, unknown length.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(42)
    except OSError:
        return None
    # "fLaC", then a metadata block header: 1 bit last-block, 7 bits type (0 = STREAMINFO),
    # 24 bits length (34); STREAMINFO bytes 10-17: sample rate 20 bits, channels-1 3 bits,
    # bits per sample-1 5 bits, total samples 36 bits (0 = unknown)
    if len(head) < 42 or head[:4] != b"fLaC" or head[4] & 0x7F != 0 or head[5:8] != b"\0\0\x22":
        return None
    bits = int.from_bytes(head[18:26], "big")
    sr, channels, frames = bits >> 44, ((bits >> 41) & 7) + 1, bits & ((1 << 36) - 1)
    if sr == 0 or frames == 0:
        return None
    return frames, sr, channels


def audio_info(path: str | os.PathLike) -> tuple[int, int, int]:
    """``(frames, samplerate, channels)`` from the file header (fast: no decode)."""
    fast = flac_streaminfo(path)
    if fast is not None:
        return fast
    _check_file(path)
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise SpoofcmError(f"{path}: cannot read audio header ({_reason(exc)})") from None
    return int(info.frames), int(info.samplerate), int(info.channels)


def read_audio(path: str | os.PathLike, target_sr: int = TARGET_SR) -> np.ndarray:
    """Decode ``path`` into float32 mono samples at ``target_sr`` (integer PCM → [-1, 1]).

    Multi-channel audio is averaged over channels and other rates are resampled, each with an
    :class:`AudioWarning` naming the file. Float files are returned as stored (not clipped).
    """
    _check_file(path)
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise SpoofcmError(f"{path}: cannot decode audio ({_reason(exc)})") from None
    if data.shape[0] == 0:
        raise SpoofcmError(f"{path}: audio file holds no samples")
    if data.shape[1] > 1:
        warnings.warn(f"{path}: {data.shape[1]} channels mixed down to mono", AudioWarning,
                      stacklevel=2)
        wave = data.mean(axis=1, dtype=np.float32)
    else:
        wave = data[:, 0]
    if sr != target_sr:
        warnings.warn(f"{path}: sample rate {sr} Hz resampled to {target_sr} Hz", AudioWarning,
                      stacklevel=2)
        wave = resample(wave, sr, target_sr)
    if not np.all(np.isfinite(wave)):
        raise SpoofcmError(f"{path}: audio holds NaN or infinite samples")
    return np.ascontiguousarray(wave, dtype=np.float32)


def _check_file(path: str | os.PathLike) -> None:
    """``PATH: no such file`` (or the OS error) before libsndfile, which says "System error."."""
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else \
            (exc.strerror or str(exc)).lower()
        raise SpoofcmError(f"{path}: {reason}") from None


def _reason(exc: BaseException) -> str:
    """First line of a decoder's message, without the "Error opening '<path>': " it may repeat."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text.split("': ", 1)[1] if text.startswith("Error opening '") and "': " in text else text
