"""run.sh --pretrained: released AASIST models imported in stage 3 and scored/evaluated in
stages 4-5 beside the trained ones (here alone: --models ''), on the tiny corpus."""
from __future__ import annotations

import json

import pytest
import yaml

pytestmark = pytest.mark.slow

SCORED = ("dev", "eval_la21", "eval_df21")


def test_pretrained_release_through_the_recipe(golden_dir, mini_recipe):
    weights = golden_dir / "aasist" / "weights" / "AASIST-L.pth"
    if not weights.is_file():
        pytest.skip(f"{weights} not found")
    recipe = mini_recipe   # stages 0-2 shared with the other recipe tests
    root = recipe.dir
    out = recipe.run("--stage", "3", "--stop-stage", "5", "--models", "",
                     "--pretrained", f"aasist_l:{weights}")
    tag = "aasist_l_pretrained"
    assert f"importing {weights}" in out
    exp = root / "exp" / tag
    cfg = yaml.safe_load((exp / "config.yaml").read_text())
    assert cfg["pretrained"]["release"] == "aasist_l" and cfg["infer"]["mode"] == "official_crop"
    recipe.check_scores(tag, SCORED)
    recipe.check_metrics(tag, ("eval_la21", "eval_df21"))
    assert not (exp / "threshold.json").exists() and (exp / "calibration.json").is_file()
    dev = json.loads((exp / "results" / "dev" / "metrics.json").read_text())
    assert 0.0 <= dev["pooled"]["eer"] <= 1.0
    results = (root / "exp" / "RESULTS.md").read_text()
    assert f"| {tag} |" in results and "--pretrained" in results
    # a rerun finds everything done
    again = recipe.run("--stage", "3", "--stop-stage", "4", "--models", "",
                       "--pretrained", f"aasist_l:{weights}")
    assert "already imported, skipping" in again and "done, skipping" in again
