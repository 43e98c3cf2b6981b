"""egs/asvspoof5 (stages 0-5) and then egs/in_the_wild (evaluation only, with the model that
egs/asvspoof5 trained) run unchanged on the ASVspoof 5-style part and the In-the-Wild-style
folder of the tiny mini corpus (generated with it); only db.sh variables point elsewhere."""
from __future__ import annotations

import json
import subprocess

import pytest

SMALL = ("--train.max_epochs 1 --train.num_workers 0 --train.batch_size 8 --train.crop_seconds 2"
         " --train.lr 1e-3 --model.d_model 16 --model.n_heads 2 --model.ffn_dim 32"
         " --model.resnet_width 8")
TAG = "fusion_cbam_resnet18_default_seed0"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def layouts(tiny):
    """The corpus root holding ASVspoof5/ and release_in_the_wild/."""
    return tiny


@pytest.fixture(scope="module")
def asv5(layouts, recipe_factory):
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    recipe = recipe_factory("asvspoof5", {"ASVSPOOF5": str(layouts / "ASVspoof5")})
    write_random_checkpoint(recipe.dir / "tiny.pt", "tiny", 0)   # run.sh no longer makes one
    recipe.run("--stage", "0", "--stop-stage", "5", "--ssl-checkpoint",
               str(recipe.dir / "tiny.pt"), "--train-args", SMALL)
    return recipe


def test_asvspoof5_recipe_end_to_end(asv5):
    asv5.check_data(("train", "dev", "eval_asv5"))
    asv5.check_scores(TAG, ("dev", "eval_asv5"))
    res = asv5.dir / "exp" / TAG / "results" / "eval_asv5"
    tables = json.loads((res / "track1.json").read_text())
    # calibrated with the dev map, unless a one-epoch model ranked dev worse than chance: a map
    # with a non-positive slope is neither stored nor used (raw scores then)
    stored = (asv5.dir / "exp" / TAG / "calibration.json").is_file()
    assert tables["scores"] == ("calibrated" if stored else "raw")
    assert set(tables["per_attack"]) and all(a.startswith("A") for a in tables["per_attack"])
    assert {"C01", "none"} <= set(tables["per_condition"])
    assert 0 <= tables["pooled"]["eer"] <= 1
    assert "eval_asv5" in (asv5.dir / "exp" / "RESULTS.md").read_text()


def test_in_the_wild_recipe_with_the_asvspoof5_model(asv5, layouts, recipe_factory):
    itw = recipe_factory("in_the_wild", {"IN_THE_WILD": str(layouts / "release_in_the_wild")})
    itw.run("--stage", "0", "--stop-stage", "5", "--expdir", str(asv5.dir / "exp"),
            "--ssl-checkpoint", str(asv5.dir / "tiny.pt"), "--train-args", SMALL)
    itw.check_data(("eval_itw",))
    res = asv5.dir / "exp" / TAG / "results" / "eval_itw"
    metrics = json.loads((res / "metrics.json").read_text())
    speakers = set(metrics["per_condition"])
    assert speakers and all(s.startswith("Speaker_") for s in speakers)   # EER per speaker
    tables = json.loads((res / "track1.json").read_text())
    # calibrated with the asvspoof5 recipe's dev map, unless that map had a non-positive slope
    # (a one-epoch model may rank dev worse than chance) and was therefore not stored
    stored = (asv5.dir / "exp" / TAG / "calibration.json").is_file()
    assert tables["scores"] == ("calibrated" if stored else "raw")
    assert tables["per_condition"].keys() == speakers
    # the evaluation-only recipe reports into its own exp/ (its sets only) and trains nothing
    own = {p.name for p in (itw.dir / "exp").iterdir()}
    assert own <= {"RESULTS.md", "RESULTS.json", "plots"}, f"experiments in {itw.dir}/exp: {own}"
    report = (itw.dir / "exp" / "RESULTS.md").read_text()
    assert "eval_itw" in report and "eval_asv5" not in report
    assert "Results: in_the_wild" in report and "--expdir egs/" in report


def test_in_the_wild_recipe_requires_expdir(recipe_factory):
    itw = recipe_factory("in_the_wild", {})
    proc = subprocess.run([str(itw.dir / "run.sh"), "--stage", "0"], capture_output=True,
                          text=True)
    assert proc.returncode == 1 and "--expdir" in proc.stderr
