"""RESULTS.md tables name the configuration each experiment ran (model.config_name)."""
from __future__ import annotations

import json
from pathlib import Path

from spoofcm.metrics.results import collect, overview, paper_table


def experiment(recipe: Path, tag: str, model_yaml: str) -> None:
    out = recipe / "exp" / tag / "results" / "eval_la21"
    out.mkdir(parents=True)
    (recipe / "exp" / tag / "config.yaml").write_text(model_yaml)
    (out / "metrics.json").write_text(json.dumps({"pooled": {"eer": 0.2, "min_tdcf": 0.5}}))


def test_config_name_is_shown_beside_the_model(tmp_path):
    experiment(tmp_path, "lfcc_gmm_a", "model: {name: lfcc_gmm, config_name: lfcc_gmm_2021}\n")
    experiment(tmp_path, "rawnet2_a", "model: {name: rawnet2}\n")
    entries = collect(tmp_path)
    assert [(e.model, e.config) for e in entries] == [("lfcc_gmm", "lfcc_gmm_2021"),
                                                      ("rawnet2", "")]
    text = overview(entries)
    assert text.splitlines()[0].endswith("| configuration |")
    assert "| lfcc_gmm_a | lfcc_gmm | eval_la21 | 20.00 |" in text
    assert text.splitlines()[2].endswith("| lfcc_gmm_2021 |")
    table = paper_table(entries, "LA", ("lfcc_gmm", "rawnet2", "cqcc_gmm")).splitlines()
    assert table[0].endswith("| published source | configuration |")
    assert table[2].startswith("| lfcc_gmm | lfcc_gmm_a | 20.00 | 0.5000 | 19.30 |")
    assert table[2].endswith("| lfcc_gmm_2021 |")
    assert table[3].startswith("| rawnet2 | rawnet2_a |") and table[3].endswith("|  |")
    assert table[4].startswith("| cqcc_gmm |  | not run |")
