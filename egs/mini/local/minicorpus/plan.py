"""The corpus plan: every utterance, its ids, class, attack, condition and random draws.

The plan is a pure function of (size, seed, available speakers/prompts, piper present), so the
protocols are identical for the same seed; audio is rendered from it utterance by utterance.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .attacks import TRAIN_ATTACKS, eval_attacks
from .sources import Prompt, Speaker

# (bona fide count, spoofs per attack) per part, enrolment utterances per eval speaker
SIZES: dict[str, dict[str, tuple[int, int] | int]] = {
    "default": {"train": (120, 30), "dev": (80, 20), "la": (140, 30), "df": (99, 27), "enrol": 6},
    "tiny": {"train": (12, 3), "dev": (10, 2), "la": (21, 4), "df": (27, 3), "enrol": 4},
}
TRAIN_SPEAKERS = ("LA_0001", "LA_0002", "LA_0003")
LA_CODECS = ("none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus")
DF_CODECS = ("nocodec", "low_mp3", "high_mp3", "low_m4a", "high_m4a", "low_ogg", "high_ogg",
             "mp3m4a", "oggm4a")
TRANSMISSIONS = ("ita_tx", "sin_tx", "loc_tx", "mad_tx")
SUBSET_CYCLE = ("eval", "progress", "hidden", "eval", "eval")
PREFIX = {"train": "LA_T_", "dev": "LA_D_", "la": "LA_E_", "df": "DF_E_", "enrol": "LA_R_"}
POOL_SHARE = {"train": 0.35, "dev": 0.2, "la": 0.25, "df": 0.2}
N_CANDIDATES = 5


@dataclass(frozen=True)
class Utt:
    """One utterance to render and list in the protocols/keys."""

    uid: str
    part: str                 # train, dev, la, df, enrol
    spk: str
    label: str                # bonafide | spoof
    attack: str               # "-" for bona fide
    cond: str                 # "-" (train/dev), LA codec or DF compression
    tx: str                   # LA transmission, "-" otherwise
    subset: str               # eval/progress/hidden for the 2021 parts, "-" otherwise
    prompts: tuple[str, ...]  # candidate prompts of the target speaker, used in order
    other_spk: str
    other_prompts: tuple[str, ...]
    n_samples: int
    pad_s: float
    level_db: float
    seed: int

    @property
    def trim(self) -> str:
        """The key's trim column: hidden trials have no leading/trailing non-speech."""
        if self.subset != "hidden":
            return "notrim"
        return "trim" if self.part == "df" else "only_speech"


def _trial_ids(rng: np.random.Generator, prefix: str, n: int, taken: set[int]) -> list[str]:
    out = []
    while len(out) < n:
        k = int(rng.integers(1_000_000, 10_000_000))
        if k not in taken:
            taken.add(k)
            out.append(f"{prefix}{k}")
    return out


class _Pool:
    """A speaker's prompts for one part, handed out in order (bona fide) or at random."""

    def __init__(self, prompts: list[Prompt], rng: np.random.Generator):
        self.prompts, self.pos, self.rng = prompts, 0, rng

    def take(self, seconds: float) -> tuple[str, ...]:
        """Consecutive prompts covering about `seconds` (consumed), then 3 spares (peeked)."""
        names, total, n = [], 0.0, len(self.prompts)
        while total < seconds:
            p = self.prompts[self.pos % n]
            self.pos += 1
            names.append(p.name)
            total += p.est_s
        return tuple(names + [self.prompts[(self.pos + j) % n].name for j in range(3)])

    def sample(self) -> tuple[str, ...]:
        idx = self.rng.choice(len(self.prompts), size=min(N_CANDIDATES, len(self.prompts)),
                              replace=False)
        return tuple(self.prompts[int(i)].name for i in idx)


def _pools(speakers: list[Speaker], prompts: dict[str, list[Prompt]], n_enrol: int,
           rng: np.random.Generator) -> dict[tuple[str, str], _Pool]:
    """Split every speaker's prompts into disjoint per-part pools (plus enrolment)."""
    pools = {}
    for spk in speakers:
        order = [prompts[spk.spk][int(i)] for i in rng.permutation(len(prompts[spk.spk]))]
        pools[(spk.spk, "enrol")] = _Pool(order[: 3 * n_enrol], rng)
        rest = order[3 * n_enrol:]
        parts = list(POOL_SHARE) if spk.spk in TRAIN_SPEAKERS else ["la", "df"]
        shares = np.array([POOL_SHARE[p] for p in parts])
        bounds = np.r_[0, np.cumsum(shares / shares.sum() * len(rest))].astype(int)
        for p, a, b in zip(parts, bounds[:-1], bounds[1:]):
            pools[(spk.spk, p)] = _Pool(rest[a:b], rng)
    return pools


def _draws(rng: np.random.Generator, hidden: bool) -> dict:
    """Class-independent duration, padding and level of one utterance."""
    return {"n_samples": int(rng.uniform(2.0, 4.0) * 16000),
            "pad_s": 0.0 if hidden else float(rng.uniform(0.1, 0.3)),
            "level_db": float(rng.uniform(-32.0, -20.0)), "seed": int(rng.integers(2**31))}


def make_plan(size: str, seed: int, speakers: list[Speaker], prompts: dict[str, list[Prompt]],
              with_piper: bool) -> list[Utt]:
    """All utterances of a corpus size, deterministically from `seed`."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (choose from {', '.join(SIZES)})")
    cfg = SIZES[size]
    rng = np.random.default_rng(seed)
    spk_ids = [s.spk for s in speakers]
    pools = _pools(speakers, prompts, int(cfg["enrol"]), rng)
    taken: set[int] = set()
    plan: list[Utt] = []
    for part in ("train", "dev", "la", "df"):
        n_bona, per_attack = cfg[part]
        attacks = TRAIN_ATTACKS if part in ("train", "dev") else eval_attacks(with_piper)
        part_spks = [s for s in spk_ids if part in ("la", "df") or s in TRAIN_SPEAKERS]
        codecs = LA_CODECS if part == "la" else DF_CODECS if part == "df" else ("-",)
        rows = [("bonafide", "-")] * n_bona
        rows += [("spoof", a) for _ in range(per_attack) for a in attacks]
        ids = _trial_ids(rng, PREFIX[part], len(rows), taken)
        counters = {"bonafide": 0, "spoof": 0}
        for (label, attack), uid in zip(rows, ids):
            i = counters[label]
            counters[label] += 1
            cond = codecs[i % len(codecs)]
            subset = SUBSET_CYCLE[(i // len(codecs)) % len(SUBSET_CYCLE)] if part in ("la", "df") else "-"
            spk = part_spks[(i + int(rng.integers(len(part_spks)))) % len(part_spks)]
            other = [s for s in part_spks if s != spk][int(rng.integers(len(part_spks) - 1))]
            d = _draws(rng, subset == "hidden")
            pool = pools[(spk, part)]
            cands = pool.take(d["n_samples"] / 16000 + 1.5) if label == "bonafide" else pool.sample()
            tx = "-" if cond in ("none", "-") or part != "la" else TRANSMISSIONS[int(rng.integers(4))]
            plan.append(Utt(uid, part, spk, label, attack, cond, tx, subset, cands, other,
                            pools[(other, part)].sample(), **d))
    enrol_ids = _trial_ids(rng, PREFIX["enrol"], len(spk_ids) * int(cfg["enrol"]), taken)
    for k, uid in enumerate(enrol_ids):
        spk = spk_ids[k % len(spk_ids)]
        d = _draws(rng, False)
        plan.append(Utt(uid, "enrol", spk, "bonafide", "-", "none", "-", "-",
                        pools[(spk, "enrol")].take(d["n_samples"] / 16000 + 1.5), spk, (), **d))
    return plan

