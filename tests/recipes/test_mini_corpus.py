"""The mini corpus generator (egs/mini/local): official layouts, determinism, shortcut controls,
ASV keys. The tiny corpus is generated once per session (about a minute on two free cores) by
the ``tiny`` fixture of conftest.py, which the end-to-end recipe tests share."""
from __future__ import annotations

import collections
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / "egs" / "mini" / "local"


def _rows(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()]


def _keys(root: Path):
    proto = root / "LA/ASVspoof2019_LA_cm_protocols"
    return {"train": _rows(proto / "ASVspoof2019.LA.cm.train.trn.txt"),
            "dev": _rows(proto / "ASVspoof2019.LA.cm.dev.trl.txt"),
            "la": _rows(root / "keys/LA/CM/trial_metadata.txt"),
            "df": _rows(root / "keys/DF/CM/trial_metadata.txt")}


FLAC = {"train": "LA/ASVspoof2019_LA_train/flac", "dev": "LA/ASVspoof2019_LA_dev/flac",
        "la": "ASVspoof2021_LA_eval/flac", "df": "ASVspoof2021_DF_eval/flac"}
NCOLS = {"train": 5, "dev": 5, "la": 8, "df": 13}
IDRE = {"train": r"LA_T_\d{7}", "dev": r"LA_D_\d{7}", "la": r"LA_E_\d{7}", "df": r"DF_E_\d{7}"}


def test_layout_columns_ids_and_audio(tiny):
    import soundfile as sf
    assert (tiny / ".done").is_file() and (tiny / "keys/PA").is_dir()
    keys = _keys(tiny)
    seen: set[str] = set()
    for part, rows in keys.items():
        assert rows, part
        assert {len(r) for r in rows} == {NCOLS[part]}, part
        ids = [r[1] for r in rows]
        assert all(re.fullmatch(IDRE[part], i) for i in ids), part
        assert all(re.fullmatch(r"LA_\d{4}", r[0]) for r in rows), part
        assert not seen & set(ids) and len(set(ids)) == len(ids), f"duplicate ids in {part}"
        seen |= set(ids)
        flacs = {p.stem for p in (tiny / FLAC[part]).glob("*.flac")}
        assert flacs == set(ids), f"{part}: audio and protocol disagree"
        info = sf.info(str(tiny / FLAC[part] / f"{ids[0]}.flac"))
        assert (info.samplerate, info.channels, info.format) == (16000, 1, "FLAC")
    for part in ("train", "dev"):
        for spk, _, dash, attack, label in keys[part]:
            assert dash == "-" and (label, attack[:1]) in {("bonafide", "-"), ("spoof", "A")}
    la_codecs = {"none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus"}
    for r in keys["la"]:
        assert r[2] in la_codecs and r[5] in {"bonafide", "spoof"} and r[7] in {"eval", "progress", "hidden"}
        assert (r[3] == "-") == (r[2] == "none")
        assert (r[4] == "bonafide") == (r[5] == "bonafide")
        assert r[6] == ("only_speech" if r[7] == "hidden" else "notrim")
    vocoders = {"traditional_vocoder", "waveform_concatenation", "neural_vocoder_autoregressive",
                "neural_vocoder_nonautoregressive", "unknown"}
    for r in keys["df"]:
        assert r[3] == "asvspoof" and r[9:] == ["-"] * 4
        assert r[8] == "bonafide" if r[5] == "bonafide" else r[8] in vocoders


def test_speakers_attacks_conditions(tiny):
    keys = _keys(tiny)
    train_spk = {r[0] for r in keys["train"]}
    eval_spk = {r[0] for r in keys["la"]}
    assert len(train_spk | eval_spk) >= 5
    assert eval_spk - train_spk and eval_spk & train_spk, "eval speakers must be partly unseen"
    train_att = {r[3] for r in keys["train"]} - {"-"}
    dev_att = {r[3] for r in keys["dev"]} - {"-"}
    la_att = {r[4] for r in keys["la"]} - {"bonafide"}
    df_att = {r[4] for r in keys["df"]} - {"bonafide"}
    assert len(train_att) >= 6 and dev_att == train_att
    for att in (la_att, df_att):
        assert len(att) >= 6 and len(att - train_att) > len(att) / 2
    for part, col in (("la", 2), ("df", 2)):
        cells = collections.Counter((r[col], r[5]) for r in keys[part])
        conds = {c for c, _ in cells}
        assert len(conds) == (7 if part == "la" else 9)
        assert all(cells[(c, lab)] > 0 for c in conds for lab in ("bonafide", "spoof")), part
        subsets = collections.Counter((r[7], r[5]) for r in keys[part])
        assert all(subsets[(s, lab)] > 0 for s in ("eval", "progress", "hidden")
                   for lab in ("bonafide", "spoof")), part
    for part, rows in keys.items():
        lab = [r[4] if part in ("train", "dev") else r[5] for r in rows]
        frac = lab.count("bonafide") / len(lab)
        assert 0.25 <= frac <= 0.65, f"{part}: bona fide fraction {frac:.2f}"


def test_asv_key_and_scores_align(tiny):
    key = _rows(tiny / "keys/LA/ASV/trial_metadata.txt")
    scores = _rows(tiny / "keys/LA/ASV/ASVtorch_kaldi/score.txt")
    cm = {r[1]: r for r in _rows(tiny / "keys/LA/CM/trial_metadata.txt")}
    assert len(key) == len(scores) and {len(r) for r in key} == {8}
    assert all(k[:2] == s[:2] for k, s in zip(key, scores)), "ASV scores must follow the key line by line"
    by = collections.defaultdict(list)
    for k, s in zip(key, scores):
        assert k[1] in cm and k[2:5] == cm[k[1]][2:5] and k[6:] == cm[k[1]][6:]
        assert k[5] in {"target", "nontarget", "spoof"} and (k[5] == "spoof") == (cm[k[1]][5] == "spoof")
        by[k[5]].append(float(s[2]))
    assert all(by[lab] for lab in ("target", "nontarget", "spoof"))
    assert np.mean(by["target"]) > np.mean(by["nontarget"]) + 0.1, "the verifier does not verify"


def test_duration_and_rms_do_not_give_the_label_away(tiny):
    """Shortcut control: logistic regression on (duration, RMS) is near chance."""
    import soundfile as sf
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.metrics import roc_auc_score
    feats, labels = [], []
    for part, rows in _keys(tiny).items():
        for r in rows:
            x, sr = sf.read(str(tiny / FLAC[part] / f"{r[1]}.flac"), dtype="float64")
            feats.append([len(x) / sr, 20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-9)])
            labels.append(int((r[4] if part in ("train", "dev") else r[5]) == "bonafide"))
    feats, labels = np.array(feats), np.array(labels)
    prob = cross_val_predict(LogisticRegression(), (feats - feats.mean(0)) / feats.std(0), labels,
                             cv=5, method="predict_proba")[:, 1]
    auc = roc_auc_score(labels, prob)
    assert 0.35 <= auc <= 0.65, f"duration+RMS AUC {auc:.3f}: a shortcut leaks the label"


def test_same_seed_same_protocols_and_audio(mc, tiny, tmp_path):
    """Protocols are a pure function of the seed, and re-rendering gives identical audio."""
    speakers = mc.sources.available_speakers()
    prompts = {s.spk: mc.sources.speech_prompts(s) for s in speakers}
    with_piper = mc.generate.piper_installed()
    plan = mc.plan.make_plan("tiny", 3, speakers, prompts, with_piper)
    la = [u for u in plan if u.part == "la"]
    assert mc.protocols.la_cm_key(la) == (tiny / "keys/LA/CM/trial_metadata.txt").read_text()
    train = [u for u in plan if u.part == "train"]
    assert mc.protocols.protocol_2019(train) == (
        tiny / "LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.train.trn.txt").read_text()
    other = mc.plan.make_plan("tiny", 4, speakers, prompts, with_piper)
    assert mc.protocols.la_cm_key([u for u in other if u.part == "la"]) != mc.protocols.la_cm_key(la)
    # one bona fide trial, and per LA codec one spoof (attacks vary with the codec)
    picks = [next(u for u in plan if u.part == "train" and u.label == "bonafide")]
    for codec in sorted({u.cond for u in la}):
        picks.append(next(u for u in la if u.cond == codec and u.label == "spoof"))
    mc.render.load_catalog(speakers, prompts, plan)  # same plan -> same decoding batches
    for u in picks:
        mc.render.render(u, tmp_path)
        assert mc.render.out_path(tmp_path, u).read_bytes() == mc.render.out_path(tiny, u).read_bytes(), u.uid


def test_rerun_is_immediate(tiny):
    t0 = time.time()
    res = subprocess.run([str(LOCAL / "prepare_corpus.sh"), "--size", "tiny", "--seed", "3",
                          "--out", str(tiny)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "nothing to do" in res.stdout
    assert time.time() - t0 < 10


def test_unknown_size_is_refused():
    res = subprocess.run([str(LOCAL / "prepare_corpus.sh"), "--size", "huge"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and "huge" in res.stderr


def test_refuses_foreign_folder_and_concurrent_run(mc, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a corpus")
    res = subprocess.run([str(LOCAL / "prepare_corpus.sh"), "--size", "tiny", "--out", str(foreign)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "not a corpus" in res.stderr
    assert (foreign / "notes.txt").is_file()
    busy = tmp_path / "busy"
    with mc.generate._locked(busy):
        res = subprocess.run([str(LOCAL / "prepare_corpus.sh"), "--size", "tiny", "--out", str(busy)],
                             capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "another prepare_corpus" in res.stderr
