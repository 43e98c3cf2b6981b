"""Every system of the paper's tables through run.sh: a reduced run (tiny corpus, one epoch, the
mini recipe's small GMMs) of all nine --model names in one call, then the paper tables."""
from __future__ import annotations

import re

import pytest

SCORED = ("dev", "eval_la21", "eval_df21")
EVAL_SETS = ("eval_la21", "eval_df21")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def all_systems(mini_recipe, all_models):
    """One run.sh call for the nine systems; stages 0-2 were shared by the session fixture."""
    mini_recipe.run("--stage", "0", "--stop-stage", "5", "--train-args", "--train.max_epochs 1",
                    models=all_models)
    return mini_recipe


def test_every_system_scores_and_evaluates(all_systems, all_models):
    recipe = all_systems
    for model in all_models:
        tag = f"{model}_mini_seed0"
        assert (recipe.dir / "exp" / tag / "best.pt").is_file(), tag
        scores = recipe.check_scores(tag, SCORED)
        assert len(set(scores["eval_la21"].values())) > 1, f"{tag}: constant scores"
        recipe.check_metrics(tag, EVAL_SETS)


def test_paper_tables_generated(all_systems, all_models):
    recipe = all_systems
    text = (recipe.dir / "exp" / "RESULTS.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)
    tables = {s.split("\n", 1)[0].split(" ")[1]: s for s in sections if s.startswith("Table ")}
    assert set(tables) == {"I", "II", "III"}, list(tables)
    for model in all_models:
        # every system has a measured row in the LA and the DF table (not 'not run')
        for name in ("I", "III"):
            rows = [r for r in tables[name].splitlines() if r.startswith(f"| {model} |")]
            assert rows and all("not run" not in r for r in rows), (name, model)
    ablations = ("fusion_cbam_resnet18", "fusion_resnet18", "ssl_cbam_resnet18")
    for model in ablations:
        row = next(r for r in tables["II"].splitlines() if r.startswith(f"| {model} |"))
        assert "not run" not in row, model
