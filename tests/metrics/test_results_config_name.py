"""RESULTS.md tables name the configuration each experiment ran (model.config_name)."""
from __future__ import annotations

import json
from pathlib import Path

from spoofcm.metrics.paper import paper_table
from spoofcm.metrics.results import collect
from spoofcm.metrics.results_md import summary


def experiment(recipe: Path, tag: str, model_yaml: str) -> None:
    out = recipe / "exp" / tag / "results" / "eval_la21"
    out.mkdir(parents=True)
    (recipe / "exp" / tag / "config.yaml").write_text(model_yaml)
    (out / "metrics.json").write_text(json.dumps({"pooled": {"eer": 0.2, "min_tdcf": 0.5}}))


def test_config_name_is_shown_beside_the_model(tmp_path):
    experiment(tmp_path, "lfcc_gmm_a_seed0", "model: {name: lfcc_gmm, config_name: lfcc_gmm_2021}\n")
    experiment(tmp_path, "rawnet2_a_seed0", "model: {name: rawnet2}\n")
    (tmp_path / "exp" / "rawnet2_a_seed1" / "results" / ".eval_la21.partial-x").mkdir(parents=True)
    entries = collect(tmp_path)  # the unfinished (hidden) result folder is not read
    assert [(e.model, e.config) for e in entries] == [("lfcc_gmm", "lfcc_gmm_2021"),
                                                      ("rawnet2", "")]
    text = summary(entries).splitlines()
    assert text[0].endswith("| configuration |") and text[2].endswith("| lfcc_gmm_2021 |")
    table = paper_table(entries, "LA").splitlines()
    assert table[0].endswith("| published source | configuration |")
    row = {r.split(" | ")[0][2:]: r for r in table[2:]}
    assert row["lfcc_gmm"].startswith("| lfcc_gmm | lfcc_gmm_a | 0 (1 seed) | 20.00 | 0.5000 | 19.30 |")
    assert row["lfcc_gmm"].endswith("| lfcc_gmm_2021 |") and row["rawnet2"].endswith("|  |")
    assert "| not run |" in row["cqcc_gmm"]
