"""Eval channel conditions through real codecs (ffmpeg, sox): LA C1-C7 and DF C1-C9.

Applied after loudness normalisation to bona fide and spoofed trials alike; none of these
codecs is used anywhere in train or dev.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from .dsp import SR, bandpass

FF = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-threads", "1"]

# name -> list of (container extension, encoder arguments incl. sample rate) applied in turn
CHAINS: dict[str, list[tuple[str, list[str]]]] = {
    "alaw": [("wav", ["-ar", "8000", "-c:a", "pcm_alaw"])],
    "ulaw": [("wav", ["-ar", "8000", "-c:a", "pcm_mulaw"])],
    "pstn": [("wav", ["-ar", "8000", "-c:a", "pcm_mulaw"])],  # after a 300-3400 Hz line filter
    "g722": [("g722", ["-ar", "16000", "-c:a", "g722"])],
    "gsm": [("gsm", ["-ar", "8000", "-c:a", "libgsm"])],
    "opus": [("ogg", ["-ar", "16000", "-c:a", "libopus", "-b:a", "12k"])],
    "low_mp3": [("mp3", ["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "24k"])],
    "high_mp3": [("mp3", ["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "96k"])],
    "low_m4a": [("m4a", ["-ar", "16000", "-c:a", "aac", "-b:a", "24k"])],
    "high_m4a": [("m4a", ["-ar", "16000", "-c:a", "aac", "-b:a", "96k"])],
    "low_ogg": [("ogg", ["-ar", "16000", "-c:a", "libvorbis", "-q:a", "0"])],
    "high_ogg": [("ogg", ["-ar", "16000", "-c:a", "libvorbis", "-q:a", "6"])],
    "mp3m4a": [("mp3", ["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "32k"]),
               ("m4a", ["-ar", "16000", "-c:a", "aac", "-b:a", "48k"])],
    "oggm4a": [("ogg", ["-ar", "16000", "-c:a", "libvorbis", "-q:a", "1"]),
               ("m4a", ["-ar", "16000", "-c:a", "aac", "-b:a", "48k"])],
}
IDENTITY = ("none", "nocodec", "-")
# cheaper sox round trips (8 kHz telephone codecs): name -> sox output type/encoding options
SOX = {"alaw": ["-t", "al"], "ulaw": ["-t", "ul"], "pstn": ["-t", "ul"], "gsm": ["-t", "gsm"]}


class ChannelError(RuntimeError):
    """A codec failed."""


def _roundtrip(x: np.ndarray, ext: str, args: list[str], tmp: Path) -> np.ndarray:
    src, enc = tmp / "in.wav", tmp / f"enc.{ext}"
    sf.write(src, np.clip(x, -1, 1), SR, subtype="PCM_16")
    res = subprocess.run(FF + ["-i", str(src), "-ac", "1", *args, str(enc)],
                         capture_output=True, check=False)
    if res.returncode != 0:
        raise ChannelError(f"ffmpeg {' '.join(args)}: {res.stderr.decode()[-300:]}")
    res = subprocess.run(FF + ["-i", str(enc), "-ac", "1", "-ar", str(SR), "-f", "s16le", "-"],
                         capture_output=True, check=False)
    if res.returncode != 0 or not res.stdout:
        raise ChannelError(f"ffmpeg decode of {ext}: {res.stderr.decode()[-300:]}")
    return np.frombuffer(res.stdout, dtype="<i2").astype(np.float32) / 32768.0


def _sox_roundtrip(x: np.ndarray, fmt: list[str]) -> np.ndarray:
    """8 kHz encode and decode with sox through a pipe (no temporary files)."""
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
    raw = ["-t", "s16", "-r", str(SR), "-c", "1"]
    # -D: no automatic dither, -R: repeatable -- the audio must not depend on the run
    enc = subprocess.run(["sox", "-D", "-R", *raw, "-", "-r", "8000", *fmt, "-"], input=pcm,
                         capture_output=True, check=False)
    dec = subprocess.run(["sox", "-D", "-R", *fmt, "-r", "8000", "-c", "1", "-", *raw, "-"],
                         input=enc.stdout,
                         capture_output=True, check=False)
    if enc.returncode or dec.returncode or not dec.stdout:
        raise ChannelError(f"sox {' '.join(fmt)}: {(enc.stderr + dec.stderr).decode()[-300:]}")
    y = np.frombuffer(dec.stdout, dtype="<i2").astype(np.float32) / 32768.0
    return np.pad(y, (0, max(len(x) - len(y), 0)))[: len(x)]


def apply(x: np.ndarray, cond: str, rng: np.random.Generator) -> np.ndarray:
    """Pass `x` (16 kHz) through the channel `cond`; the result is 16 kHz float32."""
    if cond in IDENTITY:
        return x
    if cond not in CHAINS:
        raise ChannelError(f"unknown channel condition {cond!r}")
    if cond == "pstn":  # line band-pass and a little line noise before mu-law
        x = bandpass(x, 300.0, 3400.0) + rng.standard_normal(len(x)).astype(np.float32) * 3e-4
    if cond in SOX:
        return _sox_roundtrip(x, SOX[cond])
    return ffmpeg_roundtrip(x, CHAINS[cond])


def ffmpeg_roundtrip(x: np.ndarray, chain: list[tuple[str, list[str]]]) -> np.ndarray:
    """Encode and decode `x` (16 kHz) through each (container, encoder arguments) in turn."""
    with tempfile.TemporaryDirectory() as tmp:
        for ext, args in chain:
            x = _roundtrip(x, ext, args, Path(tmp))
    return x
