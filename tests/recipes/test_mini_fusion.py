"""run.sh --fuse: the fused system of two members is scored on every set, evaluated by stage 5
like any system (a RESULTS.md row), and stage 5 draws the combined plots (tiny corpus, one
epoch)."""
from __future__ import annotations

import json

import numpy as np
import pytest

SCORED = ("dev", "eval_la21", "eval_df21")
EVAL_SETS = ("eval_la21", "eval_df21")
MEMBERS = ("lfcc_lcnn", "rawnet2")
FUSED = "fused_lfcc_lcnn+rawnet2_mini_seed0"
PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fused(mini_recipe):
    mini_recipe.run("--stage", "3", "--stop-stage", "5", "--train-args", "--train.max_epochs 1",
                    "--fuse", " ".join(MEMBERS), models=MEMBERS)
    return mini_recipe


def test_fused_system_is_scored_evaluated_and_reported(fused):
    recipe = fused
    info = json.loads((recipe.dir / "exp" / FUSED / "fusion.json").read_text())
    assert info["systems"] == [f"{m}_mini_seed0" for m in MEMBERS] and len(info["weights"]) == 2
    scores = recipe.check_scores(FUSED, SCORED)
    members = [recipe.check_scores(f"{m}_mini_seed0", SCORED) for m in MEMBERS]
    for s in SCORED:   # the fused score is the fitted affine combination of the members'
        utts = sorted(scores[s])
        want = sum(w * np.array([m[s][u] for u in utts]) for w, m in zip(info["weights"], members))
        np.testing.assert_allclose([scores[s][u] for u in utts], want + info["offset"],
                                   atol=2e-6 * (1 + np.abs(want + info["offset"]).max()))
    recipe.check_metrics(FUSED, EVAL_SETS)
    results = (recipe.dir / "exp" / "RESULTS.md").read_text()
    assert any(line.startswith(f"| {FUSED} |") for line in results.splitlines())


def test_stage5_draws_the_combined_plots(fused):
    for s in SCORED:
        for kind in ("det", "attacks"):
            path = fused.dir / "exp" / "plots" / f"{kind}_{s}.png"
            assert path.read_bytes()[:8] == PNG, path
    assert "(plots/det_eval_la21.png)" in (fused.dir / "exp" / "RESULTS.md").read_text()
