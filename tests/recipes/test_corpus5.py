"""The ASVspoof 5-style part and the In-the-Wild-style folder of the mini corpus: what
spoofcm-prep reads, its own speakers/attacks/codecs, determinism, and the 2019/2021 parts left
exactly as they were (on the tiny corpus of the ``tiny`` fixture)."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from spoofcm.bin.prep import main as prep_main
from spoofcm.data.datadir import load_data_dir

ASV5 = "ASVspoof5/ASVspoof5_protocols/ASVspoof5.{}.tsv"
SETS = {"train_asv5": ("train", "T"), "dev_asv5": ("dev.track_1", "D"),
        "eval_asv5": ("eval.track_1", "E")}
ATTACK_RANGE = {"T": range(1, 9), "D": range(9, 17), "E": range(17, 33)}   # as in ASVspoof 5
#: plan digest of the 2019/2021 parts of ``tiny``/seed 3 before the newer parts existed, with
#: all six voices and piper installed (generator at commit 52ddf7c)
DIGEST_2019_2021 = "d51480af6d6b3987"


def _rows(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def m5(mc):
    return {n: importlib.import_module(f"minicorpus.{n}") for n in ("plan5", "protocols5")}


@pytest.fixture(scope="module")
def plans(mc, m5):
    speakers = mc.sources.available_speakers()
    prompts = {s.spk: mc.sources.speech_prompts(s) for s in speakers}
    piper = mc.generate.piper_installed()
    plan = mc.plan.make_plan("tiny", 3, speakers, prompts, piper)
    return speakers, prompts, plan, m5["plan5"].make_plan5("tiny", 3, speakers, prompts, piper, plan)


def test_layouts_are_read_by_spoofcm_prep(tiny, tmp_path):
    for name, (proto, prefix) in SETS.items():
        assert prep_main(["--set", name, "--out", str(tmp_path / name), "--asv5",
                          str(tiny / "ASVspoof5"), "--no-progress"]) == 0
        d = load_data_dir(tmp_path / name, check_audio=True)
        rows = _rows(tiny / ASV5.format(proto))
        assert {len(r) for r in rows} == {10} and sorted(d.utts) == sorted(r[1] for r in rows)
        assert all(re.fullmatch(rf"{prefix}_\d{{10}}", u) for u in d.utts)
        assert all(re.fullmatch(rf"{prefix}_\d{{4}}", s) for s in d.utt2spk.values())
        assert {"bonafide", "spoof"} == set(d.utt2label.values())
    assert prep_main(["--set", "eval_itw", "--out", str(tmp_path / "itw"), "--itw",
                      str(tiny / "release_in_the_wild"), "--no-progress"]) == 0
    d = load_data_dir(tmp_path / "itw", check_audio=True)
    assert sorted(d.utts, key=int) == [str(i) for i in range(len(d.utts))]
    assert {"bonafide", "spoof"} == set(d.utt2label.values())
    assert all(re.fullmatch(r"Speaker_\d+", s) for s in d.utt2spk.values())
    assert all(Path(p).suffix == ".wav" for p in d.wav.values())


def test_own_attacks_codecs_and_speakers(tiny, plans):
    rows = {p: _rows(tiny / ASV5.format(SETS[n][0])) for n, (_, p) in SETS.items()}
    attacks = {p: {r[7] for r in rs if r[8] == "spoof"} for p, rs in rows.items()}
    for p, ids in attacks.items():
        assert ids and all(int(a[1:]) in ATTACK_RANGE[p] for a in ids), (p, ids)
    assert not (attacks["T"] & attacks["D"] or attacks["T"] & attacks["E"]
                or attacks["D"] & attacks["E"]), "ASVspoof 5 sets share no attack"
    assert {r[3] for r in rows["T"] + rows["D"]} == {"-"}, "train/dev are uncoded"
    codecs = {(r[3], r[8]) for r in rows["E"]}
    expected = {"-"} | {f"C{i:02d}" for i in range(1, 12)}
    assert {c for c, _ in codecs} == expected
    assert all((c, lab) in codecs for c in expected for lab in ("bonafide", "spoof"))
    spk = {p: {r[0] for r in rs} for p, rs in rows.items()}
    assert not (spk["T"] & spk["D"] or spk["T"] & spk["E"] or spk["D"] & spk["E"])
    # voices: ASVspoof 5 sets are disjoint, and train uses none of the 2019-style voices
    _, _, plan, plan5 = plans
    voices = {p: {u.spk for u in plan5.utts if u.part == p} for p in ("t5", "d5", "e5", "itw")}
    assert not (voices["t5"] & voices["d5"] or voices["t5"] & voices["e5"]
                or voices["d5"] & voices["e5"])
    assert not voices["t5"] & {u.spk for u in plan if u.part in ("train", "dev")}
    # different utterances: no bona fide recording of the new parts is in the 2019/2021 plan
    used = {(u.spk, n) for u in plan for n in u.prompts} | {
        (u.other_spk, n) for u in plan for n in u.other_prompts}
    fresh = [(u.spk, n) for u in plan5.utts if u.label == "bonafide" for n in u.prompts[:-3]]
    assert fresh and not set(fresh) & used


def test_same_seed_same_protocols_and_audio(mc, m5, tiny, plans, tmp_path):
    speakers, prompts, plan, plan5 = plans
    pr5 = m5["protocols5"]
    for part, name in pr5.ASV5_PROTOCOLS.items():
        utts = [u for u in plan5.utts if u.part == part]
        assert pr5.protocol_asv5(utts, plan5, speakers) == (
            tiny / "ASVspoof5/ASVspoof5_protocols" / name).read_text()
    itw = [u for u in plan5.utts if u.part == "itw"]
    assert pr5.itw_meta(itw, plan5) == (tiny / "release_in_the_wild/meta.csv").read_text()
    other = m5["plan5"].make_plan5("tiny", 4, speakers, prompts, mc.generate.piper_installed(),
                                   plan)
    assert [u.uid for u in other.utts] != [u.uid for u in plan5.utts]
    picks = [next(u for u in plan5.utts if u.part == p and u.label == lab)
             for p in ("t5", "d5", "itw") for lab in ("bonafide", "spoof")]
    picks += [next(u for u in plan5.utts if u.part == "e5" and u.cond == c)
              for c in ("C02", "C04", "C07")]
    mc.render.load_catalog(speakers, prompts, plan + plan5.utts)
    for u in picks:
        mc.render.render(u, tmp_path)
        assert (mc.render.out_path(tmp_path, u).read_bytes()
                == mc.render.out_path(tiny, u).read_bytes()), u.uid


def test_2019_2021_plan_unchanged(mc, tiny, plans):
    speakers, _, plan, _ = plans
    assert all(u.part in ("train", "dev", "la", "df", "enrol") for u in plan)
    digest = mc.generate.plan_digest(plan)
    assert f"plan={digest}" in (tiny / ".done").read_text().split()
    if len(speakers) < 6 or not mc.generate.piper_installed():
        pytest.skip("the recorded digest is for all six voices and piper")
    assert digest == DIGEST_2019_2021
