"""SSL-AASIST: forward/backward on a tiny random wav2vec 2.0, back-end size, checkpoint import."""
from __future__ import annotations

import pytest
import torch
from transformers import Wav2Vec2Config, Wav2Vec2Model

from spoofcm.errors import SpoofcmError
from spoofcm.models.aasist import build_ssl_aasist, import_ssl_aasist_checkpoint
from spoofcm.ssl.convert import from_hf_state

#: back end incl. LL (1024 -> 128: 131,200); the authors' layout adds 512 unused bn1 parameters
FULL_BACKEND_PARAMS = 446_730
SMALL = {"ll_dim": 24, "filts": [[1, 4], [4, 4], [4, 8], [8, 8]], "gat_dims": [8, 4],
         "normalize_input": False}


def tiny_encoder() -> Wav2Vec2Model:
    torch.manual_seed(0)
    cfg = Wav2Vec2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, conv_dim=(16, 16), conv_stride=(5, 64),
                         conv_kernel=(10, 64), num_conv_pos_embeddings=16,
                         num_conv_pos_embedding_groups=2, do_stable_layer_norm=True,
                         feat_extract_norm="layer", mask_time_prob=0.0)
    return Wav2Vec2Model(cfg)


def small_model(encoder: Wav2Vec2Model | None = None):
    return build_ssl_aasist(SMALL, {"ssl": {"layers": [-1], "freeze": False}},
                            encoder=encoder or tiny_encoder())


def test_full_size_backend_parameter_count_on_cached_features():
    model = build_ssl_aasist({}, {"ssl": {"cache": True, "dim": 1024}})
    assert model.inputs == ("ssl",) and model.ssl is None
    assert sum(p.numel() for p in model.parameters()) == FULL_BACKEND_PARAMS
    assert model.pos_S.shape == (1, 42, 64)
    model.eval()
    with torch.no_grad():
        assert model({"ssl": torch.randn(2, 60, 1024)}).shape == (2, 2)
        assert model({"ssl": torch.randn(1, 1, 1024)}).shape == (1, 2)  # padded to 3 frames


def test_forward_backward_fine_tunes_the_encoder():
    model = small_model()
    assert model.inputs == ("wav",)
    logits = model({"wav": torch.randn(2, 16000)})
    assert logits.shape == (2, 2)
    logits[:, 1].sum().backward()
    assert model.ssl.encoder.layers[0].attention.q_proj.weight.grad.abs().sum() > 0
    assert model.HtrgGAT_layer_ST11.att_weight12.grad.abs().sum() > 0
    assert model.master2.grad is not None


def authors_layout(model) -> dict[str, torch.Tensor]:
    """Our weights under the authors' names: fairseq encoder keys, unused bn1s, module. prefix."""
    ours = model.state_dict()
    enc = {k[4:]: v for k, v in ours.items() if k.startswith("ssl.")}
    state = {f"ssl_model.model.{k}": v for k, v in from_hf_state(enc, "layer_norm").items()}
    state.update({k: v for k, v in ours.items() if not k.startswith("ssl.")})
    for i in range(1, len(model.encoder)):
        ch = model.encoder[i][0].conv1.in_channels
        for name, value in (("weight", torch.ones(ch)), ("bias", torch.zeros(ch)),
                            ("running_mean", torch.zeros(ch)), ("running_var", torch.ones(ch)),
                            ("num_batches_tracked", torch.tensor(0))):
            state[f"encoder.{i}.0.bn1.{name}"] = value
    return {f"module.{k}": v for k, v in state.items()}


def test_import_authors_checkpoint_round_trip():
    source = small_model()
    with torch.no_grad():                      # make BN statistics non-trivial
        source({"wav": torch.randn(3, 16000)})
    source.eval()
    assert any(k.startswith("module.ssl_model.model.encoder.layers.0.self_attn.")
               for k in authors_layout(source))
    torch.manual_seed(123)
    target = build_ssl_aasist(SMALL, {"ssl": {}}, encoder=Wav2Vec2Model(source.ssl.config))
    imported = import_ssl_aasist_checkpoint(authors_layout(source), target)
    target.load_state_dict(imported, strict=True)
    target.eval()
    wav = torch.randn(2, 16000)
    with torch.no_grad():
        torch.testing.assert_close(target({"wav": wav}), source({"wav": wav}))


def test_import_rejects_foreign_or_mismatched_state():
    with pytest.raises(SpoofcmError, match="ssl_model.model"):
        import_ssl_aasist_checkpoint({"LL.weight": torch.zeros(2, 2)})
    state = authors_layout(small_model())
    state["module.LL.weight"] = torch.zeros(3, 3)
    with pytest.raises(SpoofcmError, match="shape"):
        import_ssl_aasist_checkpoint(state, small_model())
    del state["module.out_layer.bias"]
    with pytest.raises(SpoofcmError, match="missing"):
        import_ssl_aasist_checkpoint(state, small_model())
