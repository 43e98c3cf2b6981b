"""Rendering one planned utterance: source material -> attack -> shared shaping -> channel.

Runs in worker processes. The prompt audio is decoded once in the parent (one ffmpeg call per
speaker) and inherited by the workers; every utterance uses its own seeded random stream, so
the result does not depend on which worker renders it or in which order.
"""
from __future__ import annotations

import os
import subprocess
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from . import channels, codecs5, dsp, sources, vocoders
from .attacks import ATTACKS, Attack, Material
from .attacks5 import ATTACKS5
from .plan import Utt

PART_DIRS = {"train": "LA/ASVspoof2019_LA_train/flac", "dev": "LA/ASVspoof2019_LA_dev/flac",
             "la": "ASVspoof2021_LA_eval/flac", "df": "ASVspoof2021_DF_eval/flac",
             "enrol": "asv_enrol/flac", "t5": "ASVspoof5/flac_T", "d5": "ASVspoof5/flac_D",
             "e5": "ASVspoof5/flac_E_eval", "itw": "release_in_the_wild"}
PARTS_2019_2021 = frozenset(("train", "dev", "la", "df", "enrol"))
MARGIN_S = 0.5


class RenderError(RuntimeError):
    """An utterance could not be rendered."""


@dataclass
class Catalog:
    """Decoded prompts (int16, 16 kHz) and per-speaker facts the workers need."""

    audio: dict[tuple[str, str], np.ndarray]
    text: dict[tuple[str, str], str]
    text_en: dict[str, str]
    lang: dict[str, str]
    band: dict[str, str]
    f0: dict[str, float]


_CAT: Catalog | None = None


def _decode_g722_batch(paths: list[str]) -> list[np.ndarray]:
    """Decode many raw G.722 files in one ffmpeg call (64 kbit/s: one byte = two samples)."""
    blobs = [Path(p).read_bytes() for p in paths]
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "g722", "-i", "-",
           "-ac", "1", "-ar", "16000", "-f", "s16le", "-"]
    res = subprocess.run(cmd, input=b"".join(blobs), capture_output=True, check=False)
    if res.returncode != 0:
        raise sources.SourceError(f"ffmpeg could not decode G.722 prompts: {res.stderr[-200:]!r}")
    pcm = np.frombuffer(res.stdout, dtype="<i2")
    out, pos = [], 0
    for b in blobs:
        out.append(pcm[pos: pos + 2 * len(b)].copy())
        pos += 2 * len(b)
    return out


def _decode_many(spk: sources.Speaker, paths: list[str]) -> list[np.ndarray]:
    if spk.ext == "g722":
        return _decode_g722_batch(paths)
    return [(sources.read_wav(p) * 32767).astype(np.int16) for p in paths]


def speaker_f0(spk: sources.Speaker, prompts: list[sources.Prompt]) -> float:
    """A speaker's median F0 from its first four prompts (by name): independent of the plan."""
    waves = _decode_many(spk, [p.path for p in prompts[:4]])
    return vocoders.median_f0(np.concatenate(waves).astype(np.float32) / 32768.0)


def load_catalog(speakers: list[sources.Speaker], prompts: dict[str, list[sources.Prompt]],
                 plan: list[Utt]) -> Catalog:
    """Decode every prompt the plan refers to and measure each speaker's median F0."""
    global _CAT
    by_name = {(p.spk, p.name): p for ps in prompts.values() for p in ps}
    audio: dict[tuple[str, str], np.ndarray] = {}
    # G.722 decoding carries state across a batch: the 2019/2021 parts' prompts are decoded
    # in a batch of their own, exactly as before the newer parts existed (same bytes)
    for group in (True, False):
        need: dict[str, set[str]] = {s.spk: set() for s in speakers}
        for u in plan:
            if (u.part in PARTS_2019_2021) == group:
                need[u.spk].update(u.prompts)
                need[u.other_spk].update(u.other_prompts)
        for spk in speakers:
            names = sorted(n for n in need[spk.spk] if (spk.spk, n) not in audio)
            paths = [by_name[(spk.spk, n)].path for n in names]
            waves = _decode_many(spk, paths) if paths else []
            audio.update({(spk.spk, n): w for n, w in zip(names, waves)})
    text_en = sources.read_transcripts("en")
    f0 = {spk.spk: speaker_f0(spk, prompts[spk.spk]) for spk in speakers}
    _CAT = Catalog(audio, {k: p.text for k, p in by_name.items()}, text_en,
                   {s.spk: s.lang for s in speakers}, {s.spk: s.band for s in speakers}, f0)
    return _CAT


def _fill(pieces, need: int) -> np.ndarray:
    """Concatenate trimmed pieces (cycling) until at least `need` samples."""
    got: list[np.ndarray] = []
    total, k = 0, 0
    for piece in pieces:
        got.append(piece)
        total += len(dsp.trim_silence(piece)) + int(dsp.GAP_S * dsp.SR)
        k += 1
        if total >= need or k > 40:
            break
    return dsp.concat_with_gaps(got)


def _cycle(items):
    while True:
        yield from items


def english_text(cat: Catalog, name: str) -> str:
    """English transcript of a prompt for the English-only engines.

    Prompts without an English version get a stable stand-in (chosen by CRC of the name), so
    festival/flite never see Cyrillic or accented text (festival crashes on some of it).
    """
    if name not in cat.text_en:
        names = sorted(cat.text_en)
        name = names[zlib.crc32(name.encode()) % len(names)]
    text = unicodedata.normalize("NFKD", cat.text_en[name])
    return text.encode("ascii", "ignore").decode()


def material(u: Utt, cat: Catalog, rng: np.random.Generator) -> Material:
    """The source material of one utterance, produced lazily (only what the attack uses)."""
    need = u.n_samples + int(MARGIN_S * dsp.SR)

    def audio_of(spk: str, names: tuple[str, ...]):
        waves = (cat.audio[(spk, n)].astype(np.float32) / 32768.0 for n in _cycle(names))
        return lambda: dsp.crop(_fill(waves, need), need, rng)

    def tts_fill(synth, texts):
        # one engine call per batch of texts long enough for the crop (~15 characters/s)
        def batches():
            it = _cycle(texts)
            while True:
                group: list[str] = []
                while sum(len(t) + 1 for t in group) < need / dsp.SR * 15:
                    group.append(next(it).strip().rstrip(".") + ".")
                yield " ".join(group)
        return dsp.crop(_fill((synth(b) for b in batches()), need), need, rng)

    texts = tuple(cat.text[(u.spk, n)] for n in u.prompts)
    texts_en = tuple(english_text(cat, n) for n in u.prompts)
    return Material(cat.lang[u.spk], texts, texts_en, cat.f0[u.spk],
                    audio_of(u.spk, u.prompts), audio_of(u.other_spk, u.other_prompts), tts_fill)


def out_path(root: Path, u: Utt) -> Path:
    """Where an utterance's flac goes in the official layout."""
    return root / PART_DIRS[u.part] / f"{u.uid}.{'wav' if u.part == 'itw' else 'flac'}"


def attack_of(u: Utt) -> Attack:
    """The spoofing system of a spoofed utterance (each part family has its own ids)."""
    return ATTACKS[u.attack] if u.part in PARTS_2019_2021 else ATTACKS5[u.attack]


def channel(y: np.ndarray, u: Utt, rng: np.random.Generator) -> np.ndarray:
    """The utterance's codec condition or channel."""
    if u.part in PARTS_2019_2021:
        return channels.apply(y, u.cond, rng)
    return codecs5.apply5(y, u.cond, codecs5.amr_available())


def render(u: Utt, root: Path) -> tuple[str, float, float]:
    """Render `u` into `root` (skipped when its flac exists); returns (uid, seconds, rms)."""
    path = out_path(root, u)
    if not path.is_file():
        assert _CAT is not None, "load_catalog() must run before render()"
        rng = np.random.default_rng(u.seed)
        m = material(u, _CAT, rng)
        x = m.target_audio() if u.label == "bonafide" else attack_of(u).make(m, rng)
        if not np.all(np.isfinite(x)) or len(x) == 0:
            raise RenderError(f"{u.uid}: attack {u.attack} produced empty or non-finite audio")
        y = dsp.finish(x, _CAT.band[u.spk], u.n_samples, u.pad_s, u.level_db, rng)
        y = channel(y, u, rng)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        sf.write(tmp, np.clip(y, -1.0, 1.0), dsp.SR, format=path.suffix[1:].upper(),
                 subtype="PCM_16")
        os.replace(tmp, path)
    y, _ = sf.read(path, dtype="float32")
    return u.uid, len(y) / dsp.SR, float(np.sqrt(np.mean(y.astype(np.float64) ** 2)))
