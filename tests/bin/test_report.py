"""spoofcm-report: RESULTS.md from metrics.json files written by spoofcm-eval itself."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from spoofcm.bin.eval import main as eval_main
from spoofcm.bin.report import main as report_main
from spoofcm.metrics.results import model_of

KEY_LINE = "LA_00{spk:02d} {trial} {codec} - {attack} {label} notrim eval"


def make_keys(root: Path, rng) -> tuple[Path, dict[str, bool]]:
    """A small official-layout LA + DF keys folder; returns it and trial -> is bona fide."""
    is_bona = {}
    for track, codecs, prefix in (("LA", ["none", "alaw"], "LA_E_"), ("DF", ["nocodec", "low_mp3"],
                                                                        "DF_E_")):
        lines = []
        for i in range(200):
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


def write_scores(path: Path, is_bona: dict[str, bool], prefix: str, shift: float, rng) -> Path:
    path.write_text("".join(f"{t} {rng.normal(shift if b else 0.0):.5f}\n"
                            for t, b in is_bona.items() if t.startswith(prefix)))
    return path


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    keys, is_bona = make_keys(tmp_path / "keys", rng)
    recipe = tmp_path / "egs" / "r"
    for tag, model, shift in (("fusion_cbam_resnet18_mini", "fusion_cbam_resnet18", 2.0),
                              ("lfcc_gmm_mini_x", None, 0.5)):
        exp = recipe / "exp" / tag
        exp.mkdir(parents=True)
        if model:
            (exp / "config.yaml").write_text(f"model:\n  name: {model}\n")
        for s, track, prefix in (("eval_la21", "LA", "LA_E_"), ("eval_df21", "DF", "DF_E_")):
            score = write_scores(tmp_path / f"{tag}_{s}.txt", is_bona, prefix, shift, rng)
            assert eval_main(["--scores", str(score), "--keys", str(keys), "--track", track,
                              "--out", str(exp / "results" / s), "--n-boot", "50",
                              "--no-plots"]) == 0
    return recipe


def test_results_md_tables_every_experiment(recipe, capsys):
    out = recipe / "RESULTS.md"
    assert report_main(["--recipe-dir", str(recipe), "--out", str(out)]) == 0
    text = out.read_text()
    assert re.search(r"git (\w+|unknown) · Python \d+\.\d+", text)
    assert "Regenerate with: `spoofcm-report --recipe-dir" in text
    for tag in ("fusion_cbam_resnet18_mini", "lfcc_gmm_mini_x"):
        assert text.count(f"| {tag} |") >= 4   # overview x2 sets + breakdown rows
    assert "#### eval_la21: min t-DCF" not in text   # no ASV scores given -> no t-DCF table
    assert "#### eval_df21: EER (%)" in text and "| experiment | nocodec | low_mp3 |" in text
    assert "Table I" not in text
    import json
    m = json.loads((recipe / "exp" / "lfcc_gmm_mini_x" / "results" / "eval_la21" /
                    "metrics.json").read_text())
    assert f"| lfcc_gmm_mini_x | lfcc_gmm | eval_la21 | {100 * m['pooled']['eer']:.2f} |" in text


def test_paper_tables_through_make_tables(recipe, repo_root):
    out = recipe / "PAPER.md"
    env_path = str(Path(__import__("sys").executable).parent)
    import os
    env = dict(os.environ, PATH=env_path + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run([str(repo_root / "local" / "make_tables.sh"), "--recipe-dir", str(recipe),
                    "--out", str(out)], check=True, env=env, capture_output=True)
    text = out.read_text()
    for title in ("Table I", "Table II", "Table III"):
        assert title in text
    assert "| fusion_cbam_resnet18 | fusion_cbam_resnet18_mini |" in text
    assert "4.12 | 0.3008 | the paper |" in text        # published reference beside ours
    assert "| cqcc_gmm |  | not run |" in text             # every paper system has a row
    assert re.search(r"\| fusion_resnet18 \| not run \|.*\| 3\.90 \|", text)


def test_errors_and_model_name(tmp_path, capsys):
    assert report_main(["--recipe-dir", str(tmp_path / "nope")]) == 1
    assert "recipe dir not found" in capsys.readouterr().err
    assert report_main(["--recipe-dir", str(tmp_path)]) == 1
    assert "no exp/*/results/*/metrics.json" in capsys.readouterr().err
    (tmp_path / "ssl_aasist_default_x").mkdir()
    assert model_of(tmp_path / "ssl_aasist_default_x") == "ssl_aasist"
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "config.yaml").write_text("model: {name: rawnet2}\n")
    assert model_of(tmp_path / "odd") == "rawnet2"


def test_regenerate_command_is_printed(recipe):
    out = recipe / "RESULTS.md"
    cmd = 'egs/r/run.sh --models "fusion_cbam_resnet18 lfcc_gmm"'
    assert report_main(["--recipe-dir", str(recipe), "--out", str(out), "--command", cmd]) == 0
    assert f"Regenerate with: `{cmd}`" in out.read_text()
    assert report_main(["--recipe-dir", str(recipe), "--out", str(out)]) == 0
    assert "Regenerate with: `spoofcm-report --recipe-dir" in out.read_text()
