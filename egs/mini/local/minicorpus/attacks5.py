"""The attack inventory of the ASVspoof 5-style part: its own ids on our spoofing tools.

ASVspoof 5 keeps train (A01-A08), dev (A09-A16) and eval (A17-A32) attacks disjoint. We keep
its id ranges with fewer systems: train A01-A04, dev A09-A12, eval A17-A24, each a tool or a
chain that the 2019/2021 parts (attacks.py) do not use under that id: other settings
(Griffin-Lim iterations, codec2 modes), codec laundering (a spoof re-coded through a lossy
codec before it is published) and a Malafide-style linear filter (a random short FIR filter on
the spoof, the form of that adversarial attack; not optimised against any detector).
"""
from __future__ import annotations

import numpy as np
from scipy import signal

from . import tts, vocoders
from .attacks import Attack, Material, _lpc_vc, _mlsa_vc, _tts_world, _world_vc
from .channels import ffmpeg_roundtrip

_OPUS_8K = [("ogg", ["-ar", "8000", "-c:a", "libopus", "-b:a", "8k"])]
_MP3_24K = [("mp3", ["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "24k"])]


def _fir(x: np.ndarray, rng: np.random.Generator, taps: int = 33) -> np.ndarray:
    """A random minimum-effort convolutive filter (decaying taps around an identity)."""
    h = rng.standard_normal(taps) * 0.35 * np.exp(-np.arange(taps) / 6.0)
    h[0] += 1.0
    y = signal.lfilter(h / np.sqrt(np.sum(h ** 2)), [1.0], x)
    return y.astype(np.float32)


def _launder(make, chain):
    """Spoof first, then a lossy codec round trip (codec laundering)."""
    return lambda m, r: ffmpeg_roundtrip(make(m, r), chain)


def _espeak(m: Material, r: np.random.Generator) -> np.ndarray:
    return m.tts_fill(lambda t: tts.espeak(t, m.lang, r), m.texts)


def _kal16(m: Material, r: np.random.Generator) -> np.ndarray:
    return m.tts_fill(lambda t: tts.flite_voice(t, "kal16"), m.texts_en)


ATTACKS5: dict[str, Attack] = {a.id: a for a in (
    Attack("A01", "TTS", "espeak-ng (formant synthesis, speaker's language)",
           "traditional_vocoder", _espeak),
    Attack("A02", "TTS", "flite kal16 diphone (English text)", "waveform_concatenation", _kal16),
    Attack("A03", "VC", "WORLD F0 + formant conversion of another speaker",
           "traditional_vocoder", _world_vc),
    Attack("A04", "copy-synthesis", "Griffin-Lim vocoder, 16 iterations", "traditional_vocoder",
           lambda m, r: vocoders.griffin_lim(m.target_audio(), r, iters=16)),
    Attack("A09", "TTS", "festival kal diphone (English text)", "waveform_concatenation",
           lambda m, r: m.tts_fill(lambda t: tts.festival(t, r), m.texts_en)),
    Attack("A10", "VC", "LPC vocoder of another speaker", "traditional_vocoder", _lpc_vc),
    Attack("A11", "codec", "codec2 700C re-synthesis", "traditional_vocoder",
           lambda m, r: vocoders.codec2(m.target_audio(), "700C")),
    Attack("A12", "TTS+VC", "flite clustergen + WORLD conversion", "traditional_vocoder",
           _tts_world(tts.flite)),
    Attack("A17", "TTS", "piper neural TTS (VITS, en_US joe voice)",
           "neural_vocoder_nonautoregressive",
           lambda m, r: m.tts_fill(lambda t: tts.piper(t, r), m.texts_en), needs_piper=True),
    Attack("A18", "VC", "mel-cepstrum + MLSA filter of another speaker", "traditional_vocoder",
           _mlsa_vc),
    Attack("A19", "TTS+VC", "festival kal diphone + WORLD conversion", "traditional_vocoder",
           _tts_world(tts.festival)),
    Attack("A20", "TTS+adversarial", "espeak-ng + Malafide-style random FIR filter",
           "traditional_vocoder", lambda m, r: _fir(_espeak(m, r), r)),
    Attack("A21", "VC+laundering", "WORLD conversion, then opus 8 kbit/s round trip",
           "traditional_vocoder", _launder(_world_vc, _OPUS_8K)),
    Attack("A22", "copy-synthesis+laundering", "Griffin-Lim (16 it.), then mp3 24 kbit/s",
           "traditional_vocoder",
           _launder(lambda m, r: vocoders.griffin_lim(m.target_audio(), r, iters=16), _MP3_24K)),
    Attack("A23", "VC+laundering", "LPC vocoder of another speaker, then codec2 1200 bit/s",
           "traditional_vocoder", lambda m, r: vocoders.codec2(_lpc_vc(m, r), "1200")),
    Attack("A24", "TTS+adversarial", "flite kal16 + Malafide-style random FIR filter",
           "waveform_concatenation", lambda m, r: _fir(_kal16(m, r), r)),
)}

TRAIN5 = ("A01", "A02", "A03", "A04")
DEV5 = ("A09", "A10", "A11", "A12")
EVAL5 = ("A17", "A18", "A19", "A20", "A21", "A22", "A23", "A24")


def eval5(with_piper: bool) -> tuple[str, ...]:
    """Eval attack ids, without the neural TTS when piper is not installed."""
    return tuple(a for a in EVAL5 if with_piper or not ATTACKS5[a].needs_piper)
