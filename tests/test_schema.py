"""The declared config (spoofcm.schema): unknown keys and wrong types fail early and clearly,
defaults come from one place, and an experiment's identity ignores recorded keys."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from spoofcm.config import load_config, load_yaml
from spoofcm.errors import SpoofcmError
from spoofcm.schema import SECTIONS, TrainSection, identity_diff, resolve

REPO = Path(__file__).resolve().parents[1]
BASE = [REPO / "conf" / "train" / "default.yaml", REPO / "conf" / "model" / "fusion_cbam_resnet18.yaml"]


def test_default_yaml_declares_exactly_the_train_section():
    shipped = load_yaml(REPO / "conf" / "train" / "default.yaml")["train"]
    declared = dataclasses.asdict(TrainSection())
    extra = set(shipped) - set(declared)
    assert not extra, f"conf/train/default.yaml has undeclared keys {extra}"
    for key, value in shipped.items():
        assert declared[key] == value, f"train.{key}: YAML {value!r} != code default {declared[key]!r}"


@pytest.mark.parametrize("words,match", [
    (["--train.max_epoch", "3"], "train.max_epoch'; did you mean 'train.max_epochs'"),
    (["--trian.lr", "1"], "section 'trian'; did you mean 'train'"),
    (["--model.d_modl", "64"], "model.d_modl'; did you mean 'model.d_model'"),
    (["--train.lr", "abc"], "'train.lr': expected float, got str"),
    (["--train.batch_size", "1.5"], "'train.batch_size': expected int"),
    (["--model.d_model", "true"], "'model.d_model': expected int, got bool"),
    (["--ssl.freeze", "3"], "'ssl.freeze': expected bool"),
])
def test_unknown_keys_and_wrong_types_are_errors(words, match):
    with pytest.raises(SpoofcmError, match=match):
        load_config(BASE, words)


def test_defaults_are_filled_and_overrides_kept():
    cfg = load_config(BASE, ["--train.lr", "1e-4", "--model.ssl_dim", "512"])
    assert cfg["train"]["lr"] == 1e-4 and cfg["train"]["batch_size"] == 14
    assert cfg["model"]["ssl_dim"] == 512 and cfg["model"]["cbam_reduction"] == 16
    assert set(cfg) == {"model", *SECTIONS}
    assert resolve(cfg) == cfg  # idempotent


def test_model_defaults_come_from_the_model_yaml_even_without_it():
    cfg = resolve({"model": {"name": "rawnet2"}})
    assert cfg["model"]["gru_node"] == 1024


def test_unknown_model_name():
    with pytest.raises(SpoofcmError, match="unknown model 'nope'"):
        resolve({"model": {"name": "nope"}})


def test_include_merges_shared_files_first(tmp_path):
    (tmp_path / "shared.yaml").write_text("train: {lr: 0.5, max_epochs: 3}\n")
    (tmp_path / "a.yaml").write_text("include: shared.yaml\ntrain: {max_epochs: 7}\n")
    cfg = load_config([tmp_path / "a.yaml"])
    assert cfg["train"]["lr"] == 0.5 and cfg["train"]["max_epochs"] == 7
    (tmp_path / "loop.yaml").write_text("include: loop.yaml\n")
    with pytest.raises(SpoofcmError, match="include cycle"):
        load_config([tmp_path / "loop.yaml"])


def test_identity_ignores_recorded_and_operational_keys():
    a = load_config(BASE)
    b = load_config(BASE, ["--ssl.dim", "1024", "--train.num_workers", "0"])
    assert identity_diff(a, b) == []
    c = load_config(BASE, ["--train.lr", "1e-3"])
    assert identity_diff(a, c) == ["train.lr: 1e-06 -> 0.001"]


def test_one_label_convention_everywhere():
    """Training targets, model outputs and the metrics' key codes share spoofcm.labels."""
    import spoofcm.data.dataset as dataset
    import spoofcm.metrics.keys as keys
    from spoofcm.labels import BONAFIDE, CLASS_INDEX, CM_LABELS, SPOOF
    assert CLASS_INDEX == {"bonafide": BONAFIDE, "spoof": SPOOF} and CM_LABELS[BONAFIDE] == "bonafide"
    assert keys.CM_LABELS is CM_LABELS and dataset.CLASS_INDEX is CLASS_INDEX
    src = Path(__file__).resolve().parents[1] / "src" / "spoofcm"
    for path in src.rglob("*.py"):
        text = path.read_text()
        if path.name != "labels.py":
            assert '"bonafide": 1' not in text and '"bonafide": 0' not in text, path
            assert "CM_LABELS = " not in text and "LABEL_INDEX" not in text, path
