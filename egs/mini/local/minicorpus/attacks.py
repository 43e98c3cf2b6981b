"""The attack inventory: ASVspoof-style ids, the real tool behind each, and how it is made.

A01-A06 appear in train and dev; the eval sets use A07-A12 (unseen) and A16/A19, which repeat
A04/A06 as known attacks (as ASVspoof 2019 did). `vocoder` is the DF key's vocoder type.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import tts, vocoders
from .replay import replay


@dataclass(frozen=True)
class Material:
    """What an attack may draw on for one utterance.

    `target_audio()` / `other_audio()` return concatenated bona fide speech (long enough for
    the crop) of the target speaker / of another speaker; `texts` / `texts_en` are prompt
    transcripts in the target's language / in English; `f0_target` is the target's median F0.
    """

    lang: str
    texts: tuple[str, ...]
    texts_en: tuple[str, ...]
    f0_target: float
    target_audio: Callable[[], np.ndarray]
    other_audio: Callable[[], np.ndarray]
    tts_fill: Callable[[Callable[[str], np.ndarray], tuple[str, ...]], np.ndarray]


@dataclass(frozen=True)
class Attack:
    """One spoofing system."""

    id: str
    kind: str          # TTS, VC, copy-synthesis, codec, TTS+VC, replay
    tool: str
    vocoder: str       # DF key vocoder type
    make: Callable[[Material, np.random.Generator], np.ndarray]
    needs_piper: bool = False


def _warp_for(f0_src: float, f0_tgt: float) -> float:
    """Formant scale that goes with an F0 change (bounded: a voice, not a cartoon)."""
    return float(np.clip((f0_tgt / max(f0_src, 1.0)) ** 0.25, 0.88, 1.14))


def _world_vc(m: Material, rng: np.random.Generator) -> np.ndarray:
    src = m.other_audio()
    return vocoders.world_vc(src, m.f0_target, _warp_for(vocoders.median_f0(src), m.f0_target))


def _lpc_vc(m: Material, rng: np.random.Generator) -> np.ndarray:
    return vocoders.lpc_resynth(m.other_audio(), m.f0_target)


def _mlsa_vc(m: Material, rng: np.random.Generator) -> np.ndarray:
    return vocoders.mlsa_vc(m.other_audio(), m.f0_target, float(rng.uniform(-0.04, 0.04)))


def _tts_world(engine: Callable[[str, np.random.Generator], np.ndarray]):
    """TTS followed by WORLD conversion to the target's F0 (TTS + VC)."""
    def make(m: Material, rng: np.random.Generator) -> np.ndarray:
        x = m.tts_fill(lambda t: engine(t, rng), m.texts_en)
        return vocoders.world_vc(x, m.f0_target, _warp_for(vocoders.median_f0(x), m.f0_target))
    return make


ATTACKS: dict[str, Attack] = {a.id: a for a in (
    Attack("A01", "TTS", "espeak-ng (formant synthesis, speaker's language)", "traditional_vocoder",
           lambda m, r: m.tts_fill(lambda t: tts.espeak(t, m.lang, r), m.texts)),
    Attack("A02", "TTS", "festival kal diphone (English text)", "waveform_concatenation",
           lambda m, r: m.tts_fill(lambda t: tts.festival(t, r), m.texts_en)),
    Attack("A03", "VC", "WORLD (pyworld) F0 + formant conversion of another speaker",
           "traditional_vocoder", _world_vc),
    Attack("A04", "copy-synthesis", "Griffin-Lim vocoder (80-band mel, 32 iterations)",
           "traditional_vocoder",
           lambda m, r: vocoders.griffin_lim(m.target_audio(), r)),
    Attack("A05", "codec", "codec2 1300 bit/s (c2enc/c2dec)", "traditional_vocoder",
           lambda m, r: vocoders.codec2(m.target_audio(), "1300")),
    Attack("A06", "VC", "LPC vocoder (order 18, pulse/noise excitation) of another speaker",
           "traditional_vocoder", _lpc_vc),
    Attack("A07", "TTS+VC", "flite clustergen voices + WORLD F0/formant conversion",
           "traditional_vocoder", _tts_world(tts.flite)),
    Attack("A08", "TTS", "piper neural TTS (VITS, en_US joe voice)",
           "neural_vocoder_nonautoregressive",
           lambda m, r: m.tts_fill(lambda t: tts.piper(t, r), m.texts_en), needs_piper=True),
    Attack("A09", "VC", "mel-cepstrum + MLSA filter (pysptk) of another speaker",
           "traditional_vocoder", _mlsa_vc),
    Attack("A10", "replay", "simulated replay: loudspeaker, non-linearity, room, noise",
           "unknown", lambda m, r: replay(m.target_audio(), r)),
    Attack("A11", "TTS+VC", "festival kal diphone + WORLD F0/formant conversion",
           "traditional_vocoder", _tts_world(tts.festival)),
    Attack("A12", "TTS", "flite kal16 diphone (English text)", "waveform_concatenation",
           lambda m, r: m.tts_fill(lambda t: tts.flite_voice(t, "kal16"), m.texts_en)),
    Attack("A16", "copy-synthesis", "= A04 (Griffin-Lim), known attack", "traditional_vocoder",
           lambda m, r: vocoders.griffin_lim(m.target_audio(), r)),
    Attack("A19", "VC", "= A06 (LPC vocoder), known attack", "traditional_vocoder", _lpc_vc),
)}

TRAIN_ATTACKS = ("A01", "A02", "A03", "A04", "A05", "A06")
EVAL_ATTACKS = ("A07", "A08", "A09", "A10", "A11", "A12", "A16", "A19")


def eval_attacks(with_piper: bool) -> tuple[str, ...]:
    """Eval attack ids, without the neural TTS when piper is not installed."""
    return tuple(a for a in EVAL_ATTACKS if with_piper or not ATTACKS[a].needs_piper)
