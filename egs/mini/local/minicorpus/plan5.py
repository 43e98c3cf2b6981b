"""The plan of the ASVspoof 5-style part and the In-the-Wild-style folder.

Drawn from its own random stream (``[seed, 5]``) after the 2019/2021 plan, which it reads but
never changes: the 2019/2021 parts stay byte-identical. Speakers: the source pool has six
voices at most (five required), all of which the 2021-style eval parts use, so:

* ASVspoof 5 train speaks with the voices the 2019-style train/dev parts never use (LA_0004,
  LA_0005 and, when installed, LA_0006); dev with LA_0001, eval with LA_0002 and LA_0003. The
  three sets are speaker-disjoint, as in ASVspoof 5; each voice gets a new random
  ``T_/D_/E_<4 digits>`` id. Dev/eval voices also speak in the 2019 part: there they are
  different utterances (new crops and mixes, recordings not used by the 2019/2021 plan first).
* In-the-Wild: every voice, bona fide and spoofed, as ``Speaker <n>``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .attacks5 import DEV5, TRAIN5, eval5
from .codecs5 import EVAL_CODECS, ITW_CHANNELS
from .plan import Utt, _draws, _Pool
from .sources import Prompt, Speaker

PARTS5 = ("t5", "d5", "e5", "itw")
# (bona fide count, spoofs per attack) per part; In-the-Wild: (bona fide, spoof) counts
SIZES5: dict[str, dict[str, tuple[int, int]]] = {
    "default": {"t5": (48, 12), "d5": (32, 8), "e5": (48, 6), "itw": (30, 30)},
    "tiny": {"t5": (10, 2), "d5": (8, 2), "e5": (12, 2), "itw": (8, 8)},
}
VOICES5 = {"t5": ("LA_0004", "LA_0005", "LA_0006"), "d5": ("LA_0001",),
           "e5": ("LA_0002", "LA_0003")}
PREFIX5 = {"t5": "T", "d5": "D", "e5": "E"}


@dataclass(frozen=True)
class Plan5:
    """The new parts' utterances and their public speaker names."""

    utts: list[Utt]
    speaker_ids: dict[str, str]   # voice -> ASVspoof 5 speaker id (T_/D_/E_ + 4 digits)
    itw_names: dict[str, str]     # voice -> In-the-Wild speaker name ("Speaker <n>")


def _ordered_prompts(prompts: list[Prompt], used: set[str],
                     rng: np.random.Generator) -> list[Prompt]:
    """A voice's prompts, those the 2019/2021 plan never refers to first, each group shuffled."""
    fresh = [p for p in prompts if p.name not in used]
    old = [p for p in prompts if p.name in used]
    return ([fresh[int(i)] for i in rng.permutation(len(fresh))]
            + [old[int(i)] for i in rng.permutation(len(old))])


def _rows(part: str, n_bona: int, n_spoof: int, with_piper: bool) -> list[tuple[str, str]]:
    if part == "itw":
        methods = eval5(with_piper) + DEV5 + TRAIN5   # the unseen ones first (tiny size)
        return [("bonafide", "-")] * n_bona + [("spoof", methods[i % len(methods)])
                                               for i in range(n_spoof)]
    attacks = {"t5": TRAIN5, "d5": DEV5, "e5": eval5(with_piper)}[part]
    return [("bonafide", "-")] * n_bona + [("spoof", a) for _ in range(n_spoof) for a in attacks]


def _uids(part: str, n: int, rng: np.random.Generator) -> list[str]:
    """Official-style names: T_/D_/E_ + 10 digits, In-the-Wild numbers, in a shuffled order."""
    order = rng.permutation(n)
    return [str(int(k)) if part == "itw" else f"{PREFIX5[part]}_{int(k):010d}" for k in order]


def make_plan5(size: str, seed: int, speakers: list[Speaker], prompts: dict[str, list[Prompt]],
               with_piper: bool, plan: list[Utt]) -> Plan5:
    """The ASVspoof 5-style and In-the-Wild-style utterances of a corpus size."""
    cfg = SIZES5[size]
    rng = np.random.default_rng([seed, 5])
    voices = [s.spk for s in speakers]
    used: dict[str, set[str]] = {v: set() for v in voices}
    for u in plan:
        used[u.spk].update(u.prompts)
        used[u.other_spk].update(u.other_prompts)
    pools: dict[tuple[str, str], _Pool] = {}
    for v in voices:
        order = _ordered_prompts(prompts[v], used[v], rng)
        pools[(v, "asv5")] = _Pool(order[0::2], rng)
        pools[(v, "itw")] = _Pool(order[1::2], rng)
    set_voices = {p: [v for v in VOICES5[p] if v in voices] for p in VOICES5}
    ids = rng.choice(np.arange(1000, 10000), size=len(voices), replace=False)
    speaker_ids = {v: f"{PREFIX5[p]}_{int(ids[voices.index(v)]):04d}"
                   for p, vs in set_voices.items() for v in vs}
    names = rng.permutation(len(voices))
    itw_names = {v: f"Speaker {int(names[i]) + 1}" for i, v in enumerate(voices)}
    utts: list[Utt] = []
    for part in PARTS5:
        part_voices = set_voices.get(part, voices)
        pool_kind = "itw" if part == "itw" else "asv5"
        conds = EVAL_CODECS if part == "e5" else ITW_CHANNELS if part == "itw" else ("-",)
        rows = _rows(part, *cfg[part], with_piper)
        counters = {"bonafide": 0, "spoof": 0}
        for (label, attack), uid in zip(rows, _uids(part, len(rows), rng)):
            i = counters[label]
            counters[label] += 1
            spk = part_voices[(i + int(rng.integers(len(part_voices)))) % len(part_voices)]
            others = [v for v in (part_voices if len(part_voices) > 1 else voices) if v != spk]
            other = others[int(rng.integers(len(others)))]
            d = _draws(rng, False)
            pool = pools[(spk, pool_kind)]
            cands = pool.take(d["n_samples"] / 16000 + 1.5) if label == "bonafide" else pool.sample()
            utts.append(Utt(uid, part, spk, label, attack, conds[i % len(conds)], "-", "-",
                            cands, other, pools[(other, pool_kind)].sample(), **d))
    return Plan5(utts, speaker_ids, itw_names)
