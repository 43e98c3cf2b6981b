"""Bona fide sources: the recorded Asterisk prompt sets shipped by Debian, one voice a speaker.

Each speaker is one voice talent in one language; the transcripts come from the packages'
own `core-sounds-<lang>.txt`, so TTS attacks can say what the speaker said.
"""
from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

SOUNDS = Path(os.environ.get("MINICORPUS_SOUNDS", "/usr/share/asterisk/sounds"))
DOCS = Path(os.environ.get("MINICORPUS_DOCS", "/usr/share/doc"))
SR = 16000


class SourceError(RuntimeError):
    """A required source package is missing or unreadable."""


@dataclass(frozen=True)
class Speaker:
    """One voice: id in the ASVspoof style, language, folder, file type, band path, credits."""

    spk: str
    lang: str
    folder: str
    ext: str
    band: str          # "wide" (50-7000 Hz, G.722 source) or "narrow" (300-3400 Hz, 8 kHz source)
    gender: str
    talent: str
    package: str
    licence: str
    required: bool = True


SPEAKERS: tuple[Speaker, ...] = (
    Speaker("LA_0001", "en", "en_US_f_Allison", "g722", "wide", "F", "Allison Smith",
            "asterisk-core-sounds-en-g722", "CC-BY-SA-3.0"),
    Speaker("LA_0002", "fr", "fr_CA_f_June", "g722", "wide", "F", "June Wallack",
            "asterisk-core-sounds-fr-g722", "CC-BY-SA-3.0"),
    Speaker("LA_0003", "it", "it_IT_m_Carlo", "g722", "wide", "M", "Carlo Flora",
            "asterisk-core-sounds-it-g722", "CC-BY-SA-3.0"),
    Speaker("LA_0004", "es", "es_MX_f_Allison", "g722", "wide", "F", "Allison Smith (Spanish)",
            "asterisk-core-sounds-es-g722", "CC-BY-SA-3.0"),
    Speaker("LA_0005", "ru", "ru_RU_f_IvrvoiceRU", "g722", "wide", "F", "ivrvoice.ru (Maxim Topal)",
            "asterisk-core-sounds-ru-g722", "CC-BY-3.0"),
    Speaker("LA_0006", "it", "it_IT_f_Menardi", "wav", "narrow", "F", "Paola Dal Zot (Menardi set)",
            "asterisk-prompt-it-menardi-wav", "CC-BY-SA-3.0-IT", required=False),
)


@dataclass(frozen=True)
class Prompt:
    """One recorded prompt: speaker, path of the recording, its transcript."""

    spk: str
    name: str
    path: str
    text: str
    est_s: float  # duration estimated from the file size (G.722: 8000 B/s; 8 kHz 16-bit WAV)


_TRANSCRIPT = re.compile(r"^([A-Za-z0-9_\-/]+):\s*(.+?)\s*$")


def read_transcripts(lang: str) -> dict[str, str]:
    """Prompt name -> text from the package's `core-sounds-<lang>.txt.gz`."""
    path = DOCS / f"asterisk-core-sounds-{lang}" / f"core-sounds-{lang}.txt.gz"
    if not path.is_file():
        raise SourceError(f"{path}: transcript list missing (install asterisk-core-sounds-{lang})")
    out: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8-sig", errors="replace") as fh:
        for line in fh:
            m = _TRANSCRIPT.match(line.strip())
            if m and not line.startswith(";"):
                out[m.group(1)] = m.group(2)
    return out


def speech_prompts(speaker: Speaker, min_words: int = 3) -> list[Prompt]:
    """Sentence-like prompts of a speaker (at least `min_words` words), sorted by name.

    Single words and digits are left out: they are too short to crop to a fixed duration.
    """
    folder = SOUNDS / speaker.folder
    if not folder.is_dir():
        raise SourceError(f"{folder}: missing (install {speaker.package})")
    texts = read_transcripts(speaker.lang)
    prompts = []
    for name, text in sorted(texts.items()):
        path = folder / f"{name}.{speaker.ext}"
        if "/" in name or len(text.split()) < min_words or not path.is_file():
            continue
        size = path.stat().st_size
        est = size / 8000.0 if speaker.ext == "g722" else max(size - 44, 0) / 16000.0
        prompts.append(Prompt(speaker.spk, name, str(path), text, est))
    if len(prompts) < 20:
        raise SourceError(f"{folder}: only {len(prompts)} usable prompts")
    return prompts


def available_speakers() -> list[Speaker]:
    """Speakers whose package is installed; a missing required one is an error."""
    out = []
    for spk in SPEAKERS:
        if (SOUNDS / spk.folder).is_dir():
            out.append(spk)
        elif spk.required:
            raise SourceError(f"{SOUNDS / spk.folder}: missing (install {spk.package})")
    return out


def read_wav(path: str) -> np.ndarray:
    """Read a WAV recording with soundfile, mixed to mono and resampled to 16 kHz."""
    from .dsp import resample  # local: dsp is signal code, sources is about packages
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    return resample(x.mean(axis=1), sr, SR)

