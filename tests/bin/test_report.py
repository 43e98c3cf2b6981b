"""spoofcm-report: stage-5 tables (mean ± sd over seeds, per seed, provenance) from metrics.json
files written by spoofcm-eval itself, and --publish into the committed RESULTS.md."""
from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path

import numpy as np
import pytest

from spoofcm.bin.eval import main as eval_main
from spoofcm.bin.report import main as report_main
from spoofcm.metrics.results import Snapshot, model_of, split_seed

KEY_LINE = "LA_00{spk:02d} {trial} {codec} - {attack} {label} notrim eval"
FUSION = "fusion_cbam_resnet18_mini"
GMM = "lfcc_gmm_mini"


def make_keys(root: Path) -> tuple[Path, dict[str, bool]]:
    """A small official-layout LA + DF keys folder; returns it and trial -> is bona fide."""
    is_bona = {}
    for track, codecs, prefix in (("LA", ["none", "alaw"], "LA_E_"), ("DF", ["nocodec", "low_mp3"],
                                                                        "DF_E_")):
        lines = []
        for i in range(120):
            trial, bona = f"{prefix}{1000 + i}", i % 4 == 0
            codec = codecs[i % 2]
            if track == "LA":
                attack = "bonafide" if bona else f"A{7 + i % 3:02d}"
                lines.append(KEY_LINE.format(spk=i % 5, trial=trial, codec=codec, attack=attack,
                                             label="bonafide" if bona else "spoof"))
            else:
                voc = "bonafide" if bona else ("traditional_vocoder", "unknown")[i % 2]
                lines.append(f"LA_0001 {trial} {codec} asvspoof {'bonafide' if bona else 'A10'} "
                             f"{'bonafide' if bona else 'spoof'} notrim eval {voc} - - - -")
            is_bona[trial] = bona
        path = root / track / "CM" / "trial_metadata.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    return root, is_bona


def add_experiment(recipe: Path, tmp: Path, tag: str, model: str, shift: float, seed: int,
                   kind: str = "neural") -> None:
    """exp/<tag> with config.yaml, env.txt and results/<set>/metrics.json from spoofcm-eval."""
    keys, is_bona = make_keys(tmp / "keys")
    rng = np.random.default_rng(seed + int(10 * shift))
    exp = recipe / "exp" / tag
    exp.mkdir(parents=True)
    (exp / "config.yaml").write_text(f"model:\n  name: {model}\n")
    (exp / "env.txt").write_text(f"python: 3.11.7\ntorch: 2.13.0+cpu\nnumpy: 2.4.6\n"
                                 f"git: {'a' * 40}\ncpu: Test CPU 3000\ngpu: none\nthreads: 2\n"
                                 + ("model_kind: non-neural\n" if kind != "neural" else ""))
    for s, track, prefix in (("eval_la21", "LA", "LA_E_"), ("eval_df21", "DF", "DF_E_")):
        score = tmp / f"{tag}_{s}.txt"
        score.write_text("".join(f"{t} {rng.normal(shift if b else 0.0):.5f}\n"
                                 for t, b in is_bona.items() if t.startswith(prefix)))
        assert eval_main(["--scores", str(score), "--keys", str(keys), "--track", track,
                          "--out", str(exp / "results" / s), "--n-boot", "20",
                          "--no-plots"]) == 0


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    """Three seeds of the proposed system, one of a GMM, and a stage-0 corpus fingerprint."""
    recipe = tmp_path / "egs" / "r"
    for seed, shift in ((0, 2.0), (1, 1.5), (2, 1.0)):
        add_experiment(recipe, tmp_path, f"{FUSION}_seed{seed}", "fusion_cbam_resnet18", shift,
                       seed)
    add_experiment(recipe, tmp_path, f"{GMM}_seed0", "lfcc_gmm", 0.5, 0, kind="non-neural")
    (recipe / "data").mkdir()
    (recipe / "data" / "corpus_fingerprint.json").write_text(json.dumps(
        {"sha256": "f" * 64, "sets": {"dev": {"utterances": 200}}}))
    return recipe


def pooled_eers(recipe: Path, system: str, eval_set: str) -> list[float]:
    return [json.loads(p.read_text())["pooled"]["eer"] for p in
            sorted(recipe.glob(f"exp/{system}_seed*/results/{eval_set}/metrics.json"))]


def section(text: str, title: str) -> str:
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_stage5_mean_sd_per_seed_and_provenance(recipe, capsys):
    assert report_main(["--recipe-dir", str(recipe)]) == 0
    assert not (recipe / "RESULTS.md").exists(), "stage 5 must not write the committed file"
    text = (recipe / "exp" / "RESULTS.md").read_text()
    eers = pooled_eers(recipe, FUSION, "eval_la21")
    assert len(eers) == 3
    cell = f"{100 * statistics.mean(eers):.2f} ± {100 * statistics.stdev(eers):.2f}"
    assert f"| {FUSION} | fusion_cbam_resnet18 | 3 (0, 1, 2) | eval_la21 | {cell} |" in text
    assert cell in capsys.readouterr().out             # the summary goes to the log too
    gmm = 100 * pooled_eers(recipe, GMM, "eval_la21")[0]
    assert f"| {GMM} | lfcc_gmm | 0 (1 seed, non-neural) | eval_la21 | {gmm:.2f} |" in text
    # per-seed rows are the numbers the means come from
    per_seed = section(text, "Per seed (pooled)")
    for seed, eer in enumerate(eers):
        assert f"| {FUSION}_seed{seed} | {FUSION} | {seed} | eval_la21 | {100 * eer:.2f} |" \
            in per_seed
    # paper tables use mean ± sd
    assert f"| fusion_cbam_resnet18 | {FUSION} | 3 (0, 1, 2) | {cell} |" in section(text, "Table I")
    assert "| cqcc_gmm |  |  | not run |" in section(text, "Table I")
    assert "4.12 | 0.3008 | the paper |" in text
    assert "#### eval_df21: EER (%)" in text and "| system | nocodec | low_mp3 |" in text
    prov = section(text, "Provenance")
    for needle in ("report written at commit", "tree ", "trained at commit `aaaaaaaaaaaa` (4 of 4)",
                   "Python 3.11.7 · torch 2.13.0+cpu · numpy 2.4.6", "CPU Test CPU 3000",
                   "torch threads in training: 2", "corpus: sha256 `ffffffffffffffff` (dev 200",
                   "regenerate: `egs/r/run.sh --models 'fusion_cbam_resnet18 lfcc_gmm' "
                   "--seeds '0 1 2'`"):
        assert needle in prov, needle
    snap = Snapshot.load(recipe / "exp" / "RESULTS.json")
    assert {e.system for e in snap.entries} == {FUSION, GMM} and len(snap.runs) == 1


def test_publish_keeps_systems_not_rerun_unless_replace(recipe, tmp_path, capsys):
    assert report_main(["--recipe-dir", str(recipe), "--publish"]) == 1
    assert "exp/RESULTS.json: not found; run stage 5 first" in capsys.readouterr().err
    assert report_main(["--recipe-dir", str(recipe)]) == 0
    assert report_main(["--recipe-dir", str(recipe), "--publish"]) == 0
    first = (recipe / "RESULTS.md").read_text()
    assert f"| {GMM} |" in first and f"| {FUSION} |" in first
    gmm_row = next(r for r in first.splitlines() if r.startswith(f"| {GMM} | lfcc_gmm |"))
    # a second run retrains only the proposed system (other numbers) and drops the GMM
    shutil.rmtree(recipe / "exp")
    for seed, shift in ((0, 3.0), (1, 2.5)):
        add_experiment(recipe, tmp_path / "second", f"{FUSION}_seed{seed}",
                       "fusion_cbam_resnet18", shift, seed)
    assert report_main(["--recipe-dir", str(recipe)]) == 0
    capsys.readouterr()
    assert report_main(["--recipe-dir", str(recipe), "--publish"]) == 0
    out = capsys.readouterr().out
    assert f"replaced: {FUSION}" in out and f"kept: {GMM}" in out
    second = (recipe / "RESULTS.md").read_text()
    assert gmm_row in second                                  # kept as published
    assert f"| {FUSION} | fusion_cbam_resnet18 | 2 (0, 1) |" in second
    assert f"| {FUSION}_seed2 |" not in second                # old seeds replaced as a whole
    assert second.count("\nRun `") == 2                       # each row keeps its provenance
    assert report_main(["--recipe-dir", str(recipe), "--publish", "--replace"]) == 0
    third = (recipe / "RESULTS.md").read_text()
    assert f"| {GMM} |" not in third and third.count("\nRun `") == 1


def test_publish_refuses_to_drop_an_old_table(recipe, capsys):
    (recipe / "RESULTS.md").write_text("# old table without a snapshot\n")
    assert report_main(["--recipe-dir", str(recipe)]) == 0
    assert report_main(["--recipe-dir", str(recipe), "--publish"]) == 1
    assert "has no RESULTS.json beside it" in capsys.readouterr().err
    assert (recipe / "RESULTS.md").read_text() == "# old table without a snapshot\n"
    assert report_main(["--recipe-dir", str(recipe), "--publish", "--replace"]) == 0
    assert f"| {FUSION} |" in (recipe / "RESULTS.md").read_text()


def test_errors_and_names(tmp_path, capsys):
    assert report_main(["--recipe-dir", str(tmp_path / "nope")]) == 1
    assert "recipe dir not found" in capsys.readouterr().err
    assert report_main(["--recipe-dir", str(tmp_path)]) == 1
    assert "no exp/*/results/*/metrics.json" in capsys.readouterr().err
    assert report_main(["--recipe-dir", str(tmp_path), "--replace"]) == 1
    assert "--replace only applies with --publish" in capsys.readouterr().err
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "RESULTS.json").write_text('{"format": "other"}')
    assert report_main(["--recipe-dir", str(tmp_path), "--publish"]) == 1
    assert "not a spoofcm results snapshot" in capsys.readouterr().err
    (tmp_path / "ssl_aasist_default_x").mkdir()
    assert model_of(tmp_path / "ssl_aasist_default_x") == "ssl_aasist"
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "config.yaml").write_text("model: {name: rawnet2}\n")
    assert model_of(tmp_path / "odd") == "rawnet2"
    assert split_seed("rawnet2_mini_seed12") == ("rawnet2_mini", 12)
    assert split_seed("rawnet2_mini") == ("rawnet2_mini", None)


def test_command_override(recipe):
    cmd = 'egs/r/run.sh --models "fusion_cbam_resnet18" --seeds "0 1 2"'
    out = recipe / "exp" / "custom.md"
    assert report_main(["--recipe-dir", str(recipe), "--out", str(out), "--command", cmd,
                        "--no-paper-tables"]) == 0
    text = out.read_text()
    assert f"regenerate: `{cmd}`" in text and "Table I" not in text
    assert (recipe / "exp" / "custom.json").is_file()


def test_figures_are_linked_and_published_beside_the_table(recipe, capsys):
    """Stage 5's combined plots (exp/plots/) are linked from exp/RESULTS.md and copied with
    --publish, so the published RESULTS.md links work too."""
    plots = recipe / "exp" / "plots"
    plots.mkdir()
    (plots / "det_eval_la21.png").write_bytes(b"\x89PNG fake")
    assert report_main(["--recipe-dir", str(recipe)]) == 0
    assert "(plots/det_eval_la21.png)" in (recipe / "exp" / "RESULTS.md").read_text()
    assert report_main(["--recipe-dir", str(recipe), "--publish"]) == 0
    assert (recipe / "plots" / "det_eval_la21.png").read_bytes() == b"\x89PNG fake"
    assert "(plots/det_eval_la21.png)" in (recipe / "RESULTS.md").read_text()


def test_an_evaluation_only_recipe_reports_its_sets_from_another_exp(recipe, tmp_path):
    """In-the-Wild's stage 5: the training recipe's experiments, only the sets it evaluated,
    into its own exp/RESULTS.md (titled and regenerated as itself, with --expdir)."""
    itw = tmp_path / "egs" / "in_the_wild"
    (itw / "data").mkdir(parents=True)
    exp = recipe / "exp"
    assert report_main(["--recipe-dir", str(itw), "--exp-dir", str(exp),
                        "--sets", "eval_df21"]) == 0
    text = (itw / "exp" / "RESULTS.md").read_text()
    assert "Results: in_the_wild" in text and "eval_df21" in text and "eval_la21" not in text
    assert f"--expdir egs/{recipe.name}/exp" in section(text, "Provenance")
    assert not (exp / "RESULTS.md").exists(), "the training recipe's report was touched"
    snap = Snapshot.load(itw / "exp" / "RESULTS.json")
    assert {e.eval_set for e in snap.entries} == {"eval_df21"}
    assert report_main(["--recipe-dir", str(itw), "--exp-dir", str(exp), "--sets", "eval_itw"]) == 1
    assert report_main(["--recipe-dir", str(itw), "--publish", "--sets", "eval_df21"]) == 1
    assert report_main(["--recipe-dir", str(itw), "--publish"]) == 0
    assert "eval_df21" in (itw / "RESULTS.md").read_text()


def test_track1_metrics_are_reported_as_mean_sd_and_no_2021_tables(tmp_path):
    """An ASVspoof 5 recipe's results carry the Track 1 metrics (from spoofcm-eval's own
    track1.json) as mean ± sd over seeds; the 2021 paper tables are left out without 2021 sets."""
    from spoofcm.data.datadir import write_data_dir

    recipe = tmp_path / "egs" / "asvspoof5"
    utts = [f"u{i:02d}" for i in range(40)]
    lab = {u: "bonafide" if i % 2 == 0 else "spoof" for i, u in enumerate(utts)}
    data = tmp_path / "eval"
    write_data_dir(data, wav={u: f"/x/{u}.wav" for u in utts}, utt2spk={u: "s" for u in utts},
                   utt2label=lab, utt2attack={u: "-" if lab[u] == "bonafide" else
                                              f"A{17 + i % 3}" for i, u in enumerate(utts)},
                   utt2cond={u: f"C0{1 + i % 2}" for i, u in enumerate(utts)})
    rng = np.random.default_rng(0)
    for seed in (0, 1):
        exp = recipe / "exp" / f"{FUSION}_seed{seed}"
        exp.mkdir(parents=True)
        (exp / "config.yaml").write_text("model:\n  name: fusion_cbam_resnet18\n")
        score = tmp_path / f"s{seed}.txt"
        score.write_text("".join(f"u{i:02d} {rng.normal(1.0 if i % 2 == 0 else 0.0):.5f}\n"
                                 for i in range(40)))
        assert eval_main(["--scores", str(score), "--data", str(data), "--out",
                          str(exp / "results" / "eval_asv5"), "--n-boot", "0", "--no-plots",
                          "--track1-tables"]) == 0
    assert report_main(["--recipe-dir", str(recipe)]) == 0
    text = (recipe / "exp" / "RESULTS.md").read_text()
    t1 = [json.loads(p.read_text())["pooled"] for p in
          sorted(recipe.glob("exp/*/results/eval_asv5/track1.json"))]
    dcf = [t["min_dcf"] for t in t1]
    cell = f"{statistics.mean(dcf):.4f} ± {statistics.stdev(dcf):.4f}"
    table = section(text, "ASVspoof 5 Track 1 metrics (pooled, mean ± sd over seeds)")
    assert f"| {FUSION} | 2 (0, 1) | eval_asv5 | raw | {cell} |" in table
    assert "min DCF (ASVspoof 5 Track 1), per attack" in table
    assert "Table I" not in text and "Table III" not in text


def test_an_inverted_calibration_is_not_reported():
    """A dev map with a non-positive slope is not stored and not used for decisions, so its
    'calibrated' Cllr / actual DCF (of flipped scores) do not enter the tables."""
    from spoofcm.metrics.results import slim

    m = {"pooled": {"eer": 0.5},
         "calibrated": {"a": -0.4, "b": 1.0, "eval": {"cllr": 1.2, "actual_dcf": 1.0}}}
    assert "calibrated" not in slim(m)
    m["calibrated"]["a"] = 0.4
    assert slim(m)["calibrated"]["eval"] == {"cllr": 1.2, "actual_dcf": 1.0}


def test_a_recipe_reading_its_own_exp_names_no_expdir(recipe):
    """run.sh always passes --exp-dir; a recipe reading its own exp/ needs no --expdir to rerun."""
    assert report_main(["--recipe-dir", str(recipe), "--exp-dir", str(recipe / "exp")]) == 0
    assert "--expdir" not in section((recipe / "exp" / "RESULTS.md").read_text(), "Provenance")
