"""Loading a trained experiment (spoofcm.infer.load)."""
from __future__ import annotations

import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.infer.load import load_exp_model
from spoofcm.train import checkpoint as ckpt


def test_exp_model_with_foreign_weights_names_the_keys(tmp_path):
    """A checkpoint from another model version fails in one line that lists the differing keys."""
    from spoofcm.models.registry import build_model

    cfg = {"model": {"name": "fusion_cbam_resnet18", "d_model": 32, "n_heads": 4, "ffn_dim": 64,
                     "resnet_width": 8}, "ssl": {"dim": 16, "layers": [-1]}}
    weights = build_model(cfg).state_dict()
    ckpt.save({"config": cfg, "model": weights}, tmp_path / "best.pt")
    model, _ = load_exp_model(tmp_path)
    assert not model.training
    weights["mel_proj.0.weight"] = weights.pop("mel_proj.weight")
    ckpt.save({"config": cfg, "model": weights}, tmp_path / "best.pt")
    with pytest.raises(SpoofcmError, match=r"best.pt: weights of 'fusion_cbam_resnet18' do not fit .*"
                                           r"missing \['mel_proj.weight'\], unexpected \['mel_proj.0.weight'\]"):
        load_exp_model(tmp_path)
    ckpt.save({"config": cfg}, tmp_path / "best.pt")
    with pytest.raises(SpoofcmError, match="no model weights"):
        load_exp_model(tmp_path)


def test_moved_ssl_checkpoint_is_given_at_load_time(tmp_path):
    """--ssl-checkpoint replaces the SSL path the experiment recorded (the file moved)."""
    from spoofcm.models.registry import build_model

    cfg = {"model": {"name": "fusion_resnet18", "d_model": 32, "n_heads": 4, "ffn_dim": 64,
                     "resnet_width": 8}, "ssl": {"dim": 16, "checkpoint": "/gone/xlsr.pt"}}
    ckpt.save({"config": cfg, "model": build_model(cfg).state_dict()}, tmp_path / "best.pt")
    _, loaded = load_exp_model(tmp_path, ssl_checkpoint=str(tmp_path / "new.pt"))
    assert loaded["ssl"]["checkpoint"] == str(tmp_path / "new.pt")
    assert loaded["train"]["batch_size"] == 14  # the recorded config is completed by the schema
