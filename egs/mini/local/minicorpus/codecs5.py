"""Codec conditions of the ASVspoof 5-style part (C01-C11) and the In-the-Wild-style channels.

ASVspoof 5 codes its evaluation trials with eleven conditions: wideband opus, AMR, speex, a
neural codec (Encodec), mp3, m4a, mp3 followed by Encodec, then narrowband opus, AMR and speex
and a band-pass "device" channel. Ours follow that list with the codecs the corpus tools have
(ffmpeg libopus/libspeex/libmp3lame/aac, sox AMR-NB, codec2); no neural codec is installed, so
C04/C07 use codec2 3200 bit/s, the low-rate parametric codec, in its place, and AMR-WB (no
encoder in sox) is AMR-NB 12.2 kbit/s. Applied to bona fide and spoof alike, eval only.

The In-the-Wild clips come from social media: each clip goes through one upload-style codec.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from . import vocoders
from .channels import ChannelError, ffmpeg_roundtrip
from .dsp import SR, bandpass, resample

# name -> (ASVspoof 5 family, what we apply)
CONDITIONS: dict[str, tuple[str, str]] = {
    "C01": ("opus, wideband", "libopus 16 kHz 16 kbit/s"),
    "C02": ("AMR, wideband", "AMR-NB 12.2 kbit/s (sox), GSM-FR when sox lacks AMR"),
    "C03": ("speex, wideband", "libspeex 16 kHz"),
    "C04": ("Encodec (neural codec)", "codec2 3200 bit/s"),
    "C05": ("mp3, wideband", "libmp3lame 16 kHz 32 kbit/s"),
    "C06": ("m4a, wideband", "aac 16 kHz 32 kbit/s"),
    "C07": ("mp3 + Encodec", "libmp3lame 24 kbit/s then codec2 3200 bit/s"),
    "C08": ("opus, narrowband", "libopus 8 kHz 8 kbit/s"),
    "C09": ("AMR, narrowband", "AMR-NB 5.9 kbit/s (sox), GSM-FR when sox lacks AMR"),
    "C10": ("speex, narrowband", "libspeex 8 kHz"),
    "C11": ("band-pass device channel", "300-3400 Hz band-pass, no codec"),
}
EVAL_CODECS = ("-",) + tuple(CONDITIONS)
ITW_CHANNELS = ("mp3_64k", "m4a_64k", "opus_32k", "-")

_FF: dict[str, list[tuple[str, list[str]]]] = {
    "C01": [("ogg", ["-ar", "16000", "-c:a", "libopus", "-b:a", "16k"])],
    "C03": [("spx", ["-ar", "16000", "-c:a", "libspeex"])],
    "C05": [("mp3", ["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "32k"])],
    "C06": [("m4a", ["-ar", "16000", "-c:a", "aac", "-b:a", "32k"])],
    "C07": [("mp3", ["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "24k"])],
    "C08": [("ogg", ["-ar", "8000", "-c:a", "libopus", "-b:a", "8k"])],
    "C10": [("spx", ["-ar", "8000", "-c:a", "libspeex"])],
    "mp3_64k": [("mp3", ["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "64k"])],
    "m4a_64k": [("m4a", ["-ar", "16000", "-c:a", "aac", "-b:a", "64k"])],
    "opus_32k": [("ogg", ["-ar", "16000", "-c:a", "libopus", "-b:a", "32k"])],
    "gsm": [("gsm", ["-ar", "8000", "-c:a", "libgsm"])],
}
AMR_MODE = {"C02": "7", "C09": "2"}   # sox -C: 7 = 12.2 kbit/s, 2 = 5.9 kbit/s


@functools.cache
def amr_available() -> bool:
    """sox can encode AMR-NB (libopencore-amrnb built in)."""
    if shutil.which("sox") is None:
        return False
    res = subprocess.run(["sox", "-n", "-r", "8000", "-t", "amr-nb", "-", "trim", "0", "0.02"],
                         capture_output=True, check=False)
    return res.returncode == 0


def amr_nb(x: np.ndarray, mode: str) -> np.ndarray:
    """AMR-NB encode/decode through sox at bit-rate mode `mode` (0-7)."""
    pcm = (np.clip(resample(x, SR, 8000), -1, 1) * 32767).astype("<i2").tobytes()
    raw = ["-t", "s16", "-r", "8000", "-c", "1"]
    with tempfile.TemporaryDirectory() as tmp:
        amr = str(Path(tmp) / "x.amr")
        enc = subprocess.run(["sox", "-D", "-R", *raw, "-", "-C", mode, "-t", "amr-nb", amr],
                             input=pcm, capture_output=True, check=False)
        dec = subprocess.run(["sox", "-D", "-R", "-t", "amr-nb", amr, *raw, "-"],
                             capture_output=True, check=False)
    if enc.returncode or dec.returncode or not dec.stdout:
        raise ChannelError(f"sox amr-nb: {(enc.stderr + dec.stderr).decode()[-300:]}")
    y = resample(np.frombuffer(dec.stdout, dtype="<i2").astype(np.float32) / 32768.0, 8000, SR)
    return np.pad(y, (0, max(len(x) - len(y), 0)))[: len(x)]


def apply5(x: np.ndarray, cond: str, with_amr: bool) -> np.ndarray:
    """Pass `x` (16 kHz) through an ASVspoof 5-style condition or an In-the-Wild channel."""
    if cond == "-":
        return x
    if cond in AMR_MODE:
        return amr_nb(x, AMR_MODE[cond]) if with_amr else ffmpeg_roundtrip(x, _FF["gsm"])
    if cond == "C04":
        return vocoders.codec2(x, "3200")[: len(x)]
    if cond == "C11":
        return bandpass(x, 300.0, 3400.0)
    if cond not in _FF:
        raise ChannelError(f"unknown ASVspoof 5 / In-the-Wild condition {cond!r}")
    y = ffmpeg_roundtrip(x, _FF[cond])
    return vocoders.codec2(y, "3200")[: len(x)] if cond == "C07" else y
