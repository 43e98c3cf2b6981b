"""RESULTS.md tables name the configuration each experiment ran (model.config_name) and where
its weights came from (an imported release, or the experiment it was fine-tuned from)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from spoofcm.metrics.paper import paper_table, seeds_cell
from spoofcm.metrics.results import collect
from spoofcm.metrics.results_md import summary
from spoofcm.metrics.run_provenance import provenance_markdown, run_record


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


PRETRAINED_YAML = """model: {name: aasist}
pretrained: {release: aasist_l, trained_on: ASVspoof 2019 LA train, sha256: abc}
"""


def test_imported_and_fine_tuned_weights_are_named_and_not_counted_as_trained(tmp_path):
    experiment(tmp_path, "aasist_l_pretrained", PRETRAINED_YAML)
    experiment(tmp_path, "aasist_l_mini_ft_seed0",
               "model: {name: aasist}\ntrain: {init_from: /x/exp/aasist_l_pretrained}\n")
    (tmp_path / "exp" / "aasist_l_mini_ft_seed0" / "env.txt").write_text("git: abcdef0123\n")
    entries = collect(tmp_path)
    by_tag = {e.tag: e for e in entries}
    imported, tuned = by_tag["aasist_l_pretrained"], by_tag["aasist_l_mini_ft_seed0"]
    assert imported.pretrained and not tuned.pretrained
    assert imported.config == ("pretrained release aasist_l, trained on ASVspoof 2019 LA train; "
                               "not trained here")
    assert tuned.config == "fine-tuned from aasist_l_pretrained"
    assert seeds_cell(entries, "aasist_l_pretrained") == "— (pretrained release)"
    assert seeds_cell(entries, "aasist_l_mini_ft") == "0 (1 seed)"
    _, record = run_record(tmp_path, entries, "cmd", repo=tmp_path)
    assert record["pretrained"] == ["aasist_l_pretrained"]
    assert record["train_git"] == {"abcdef0123": 1}  # the release is not an untracked training
    text = provenance_markdown({"r": record}, [replace(e, run="r") for e in entries])
    assert "imported releases, scored here and not trained here: aasist_l_pretrained" in text
    trained = next(line for line in text.splitlines() if line.startswith("- trained at"))
    assert trained == "- trained at commit `abcdef0123` (1 of 1)"
