"""egs/asvspoof2021_la and egs/asvspoof2021_df run stages 0-5 unchanged on the tiny corpus: only
the db.sh variables (read from the environment) point elsewhere. The recipes are copied into
scratch trees whose run.sh links to the repository's driver, so outputs stay out of the repo."""
from __future__ import annotations

import pytest

# The real recipes train full-size models; these overrides shrink the proposed system and its
# training to a CPU test (the tiny SSL checkpoint's width comes from the cache as ssl.dim).
SMALL = ("--train.max_epochs 1 --train.num_workers 0 --train.batch_size 8 --train.crop_seconds 2"
         " --train.lr 1e-3 --model.d_model 16 --model.n_heads 2 --model.ffn_dim 32"
         " --model.resnet_width 8")
TAG = "fusion_cbam_resnet18_default_seed0"   # run.sh: exp/<model>_<train-config name>_seed<N>
RECIPES = {"asvspoof2021_la": ("eval_la21", "LA"), "asvspoof2021_df": ("eval_df21", "DF")}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished(tiny, recipe_factory):
    """Both recipes, stages 0-5, run side by side (each is a chain of single-process steps)."""
    env = {"ASVSPOOF2019_LA": str(tiny / "LA"),
           "ASVSPOOF2021_LA_EVAL": str(tiny / "ASVspoof2021_LA_eval"),
           "ASVSPOOF2021_DF_EVAL": str(tiny / "ASVspoof2021_DF_eval"),
           "ASVSPOOF2021_KEYS": str(tiny / "keys")}
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    recipes = {name: recipe_factory(name, env) for name in RECIPES}
    for r in recipes.values():
        write_random_checkpoint(r.dir / "tiny.pt", "tiny", 0)
    procs = {name: r.start("--stage", "0", "--stop-stage", "5",
                           "--ssl-checkpoint", str(r.dir / "tiny.pt"),
                           "--train-args", SMALL) for name, r in recipes.items()}
    failures = {}
    for name, proc in procs.items():
        try:
            recipes[name].wait(proc)
        except AssertionError as exc:   # wait for both, then report
            failures[name] = str(exc)
    return recipes, failures


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_runs_unchanged_on_tiny_corpus(name, finished):
    recipes, failures = finished
    assert name not in failures, failures[name]
    recipe = recipes[name]
    eval_set, track = RECIPES[name]
    recipe.check_data(("train", "dev", eval_set))
    other = "eval_df21" if eval_set == "eval_la21" else "eval_la21"
    assert not (recipe.dir / "data" / other).exists(), f"{name} prepared the other track"
    recipe.check_scores(TAG, ("dev", eval_set))
    assert recipe.check_metrics(TAG, (eval_set,))[eval_set]["track"] == track
    text = (recipe.dir / "exp" / "RESULTS.md").read_text()
    assert TAG in text and eval_set in text
