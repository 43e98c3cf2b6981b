import pytest

from spoofcm.config import apply_overrides, get_dotted, load_config, merge
from spoofcm.errors import SpoofcmError


def test_merge_is_deep_and_does_not_mutate():
    base = {"train": {"lr": 1e-6, "wd": 1e-4}, "model": {"name": "a"}}
    out = merge(base, {"train": {"lr": 1e-3}})
    assert out == {"train": {"lr": 1e-3, "wd": 1e-4}, "model": {"name": "a"}}
    assert base["train"]["lr"] == 1e-6


def test_overrides_parse_yaml_scalars():
    cfg = apply_overrides({"train": {"lr": 1e-6}}, [
        "--train.lr", "1e-3", "--ssl.layers", "[6, 12]",
        "--config-override", "model.cbam=false", "--train.max-epochs=3"])
    assert cfg["train"]["lr"] == 1e-3
    assert cfg["ssl"]["layers"] == [6, 12]
    assert cfg["model"]["cbam"] is False
    assert cfg["train"]["max_epochs"] == 3


@pytest.mark.parametrize("words", [["--lr", "1"], ["--train.lr"], ["--config-override", "x"]])
def test_bad_overrides_fail_clearly(words):
    with pytest.raises(SpoofcmError):
        apply_overrides({}, words)


def test_load_config_layers_files(tmp_path):
    (tmp_path / "a.yaml").write_text("train: {lr: 0.1, epochs: 2}\n")
    (tmp_path / "b.yaml").write_text("train: {lr: 0.2}\nmodel: {name: m}\n")
    cfg = load_config([tmp_path / "a.yaml", tmp_path / "b.yaml"], ["--train.epochs", "5"],
                      resolve=False)
    assert cfg == {"train": {"lr": 0.2, "epochs": 5}, "model": {"name": "m"}}
    assert get_dotted(cfg, "model.name") == "m" and get_dotted(cfg, "x.y", 7) == 7


def test_bad_yaml_names_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(SpoofcmError, match="bad.yaml"):
        load_config([bad])
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(SpoofcmError, match="mapping"):
        load_config([tmp_path / "list.yaml"])
    with pytest.raises(SpoofcmError, match="not found"):
        load_config([tmp_path / "missing.yaml"])


def test_yaml_is_loaded_safely(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text("a: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(SpoofcmError):
        load_config([evil])


def test_exponent_floats_in_files(tmp_path):
    (tmp_path / "a.yaml").write_text("train: {lr: 1e-6, wd: 1.0e-4, n: 3, name: e5}\n")
    cfg = load_config([tmp_path / "a.yaml"], resolve=False)
    assert cfg["train"] == {"lr": 1e-6, "wd": 1e-4, "n": 3, "name": "e5"}
