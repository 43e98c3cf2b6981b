"""Safe checkpoint reading: allowlist, clear one-line errors, legacy and fine-tuned layouts."""
from __future__ import annotations

import argparse
import zipfile

import numpy as np
import pytest
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.ssl import load
from spoofcm.ssl.fairseq_ckpt import read_checkpoint, read_fairseq


class NotData:
    """A custom class: pickling it into a checkpoint must not pass the allowlist."""

    def __init__(self, value: int = 1) -> None:
        self.value = value


def _outputs(model, wave):
    with torch.no_grad():
        return model(torch.from_numpy(wave), output_hidden_states=True).last_hidden_state


def _assert_one_line(exc_info, *needles):
    msg = str(exc_info.value)
    assert "\n" not in msg
    for needle in needles:
        assert needle in msg, msg


def test_missing_file(tmp_path):
    with pytest.raises(SpoofcmError) as e:
        load(tmp_path / "nope.pt")
    _assert_one_line(e, "not found", "ssl.checkpoint")


def test_random_bytes(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(np.random.RandomState(0).bytes(5000))
    with pytest.raises(SpoofcmError) as e:
        load(path)
    _assert_one_line(e, str(path), "not a PyTorch checkpoint")
    assert "weights_only" not in str(e.value)  # torch's advice to disable it must not leak


def test_truncated_checkpoint(tmp_path, tiny_ckpt):
    data = tiny_ckpt.read_bytes()
    for cut in (len(data) // 2, len(data) - 100):
        path = tmp_path / f"cut{cut}.pt"
        path.write_bytes(data[:cut])
        with pytest.raises(SpoofcmError) as e:
            load(path)
        _assert_one_line(e, str(path))


def test_corrupt_member_in_zip(tmp_path, tiny_ckpt):
    """A zip whose pickle is damaged (e.g. a bad copy) is caught, not a traceback."""
    path = tmp_path / "bad.pt"
    with zipfile.ZipFile(tiny_ckpt) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            blob = src.read(item.filename)
            dst.writestr(item, b"garbage" if item.filename.endswith("data.pkl") else blob)
    with pytest.raises(SpoofcmError) as e:
        load(path)
    _assert_one_line(e, str(path), "corrupt")


def test_disallowed_global_names_type_and_override(tmp_path, tiny_ckpt):
    ckpt = torch.load(tiny_ckpt, weights_only=True)
    ckpt["task_state"] = {"dictionary": NotData()}
    path = tmp_path / "custom.pt"
    torch.save(ckpt, path)
    with pytest.raises(SpoofcmError) as e:
        load(path)
    _assert_one_line(e, "NotData", "--trust-checkpoint")
    model = load(path, trust_checkpoint=True)  # the explicit override loads it
    assert model.config.num_hidden_layers == 3


def test_numpy_scalars_in_metrics_are_allowed(tmp_path, tiny_ckpt):
    ckpt = torch.load(tiny_ckpt, weights_only=True)
    ckpt["extra_state"]["metrics"] = {"loss": np.float64(1.5), "dtype": np.dtype("float32"),
                                      "arr": np.arange(3)}
    path = tmp_path / "np.pt"
    torch.save(ckpt, path)
    assert read_checkpoint(path)["extra_state"]["metrics"]["loss"] == 1.5


@pytest.mark.parametrize("payload,needle", [
    ({"weights": torch.zeros(3)}, "no 'model' state dict"),
    ({"model": {"fc.weight": torch.zeros(2, 2)}, "cfg": {"model": {"_name": "wav2vec2"}}},
     "no wav2vec 2.0 encoder"),
    ({"model": {"feature_extractor.conv_layers.0.0.weight": torch.zeros(1)},
      "cfg": {"model": {"_name": "hubert"}}}, "not wav2vec 2.0"),
    (torch.zeros(3), "expected a dict"),
])
def test_not_a_wav2vec2_checkpoint(tmp_path, payload, needle):
    path = tmp_path / "other.pt"
    torch.save(payload, path)
    with pytest.raises(SpoofcmError) as e:
        load(path)
    _assert_one_line(e, str(path), needle)


def test_weights_that_do_not_fit_the_config(tmp_path, tiny_ckpt):
    ckpt = torch.load(tiny_ckpt, weights_only=True)
    ckpt["cfg"]["model"]["encoder_layers"] = 2
    path = tmp_path / "mismatch.pt"
    torch.save(ckpt, path)
    with pytest.raises(SpoofcmError) as e:
        load(path)
    _assert_one_line(e, "do not fit")


def test_legacy_namespace_without_newer_fields(tmp_path, fairseq_golden):
    """A 2020 Namespace lacks fields added later; fairseq's defaults fill them."""
    ckpt = read_checkpoint(fairseq_golden / "legacy_args_style.pt")
    assert isinstance(ckpt["args"], argparse.Namespace)
    args = vars(ckpt["args"])
    for field in ("pos_conv_depth", "layer_type", "required_seq_len_multiple",
                  "crop_seq_to_multiple", "conv_pos_groups"):
        args.pop(field, None)
    args["conv_pos_groups"] = 4  # present in 2020 files; popped above only to test the others
    path = tmp_path / "old.pt"
    torch.save(ckpt, path)
    wave = np.load(fairseq_golden / "input_1s.npy")
    ref = np.load(fairseq_golden / "legacy_args_style__1s__x.npy")
    np.testing.assert_allclose(_outputs(load(path), wave).numpy(), ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("prefix", ["w2v_encoder.w2v_model.", "module.ssl_model.model."])
def test_wrapped_checkpoints(tmp_path, fairseq_golden, prefix):
    """Fine-tuned (CTC) and SSL-AASIST-style files hold the encoder under a prefix."""
    ckpt = read_checkpoint(fairseq_golden / "xlsr_style.pt")
    state = {prefix + k: v for k, v in ckpt["model"].items()}
    state["w2v_encoder.proj.weight"] = torch.zeros(5, 32)  # the CTC head: not the encoder
    cfg = {"model": {"_name": "wav2vec_ctc", "w2v_args": {"model": ckpt["cfg"]["model"],
                                                         "task": ckpt["cfg"]["task"]}},
           "task": {"_name": "audio_finetuning", "normalize": True}}
    path = tmp_path / "ft.pt"
    torch.save({"args": None, "cfg": cfg, "model": state}, path)
    fs = read_fairseq(path)
    assert fs.normalize is True and "w2v_encoder.proj.weight" not in fs.state
    wave = np.load(fairseq_golden / "input_1s.npy")
    ref = np.load(fairseq_golden / "xlsr_style__1s__x.npy")
    np.testing.assert_allclose(_outputs(load(path), wave).numpy(), ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("mode", ["layer_norm", "default"])
def test_bare_state_dict_ssl_aasist_style(tmp_path, mode):
    """SSL-AASIST saves model.state_dict() with no cfg: the architecture is inferred."""
    from spoofcm.ssl.fairseq_write import random_checkpoint

    ckpt = random_checkpoint("tiny", 0, extractor_mode=mode, layer_norm_first=mode == "layer_norm",
                             encoder_embed_dim=128, encoder_attention_heads=2, conv_bias=False)
    full, bare = tmp_path / "full.pt", tmp_path / "LA_model.pth"
    torch.save(ckpt, full)
    state = {"module.ssl_model.model." + k: v for k, v in ckpt["model"].items()}
    state["module.LL.weight"] = torch.zeros(128, 1024)  # the back end: not the encoder
    torch.save(state, bare)
    fs_full, fs_bare = read_fairseq(full), read_fairseq(bare)
    assert fs_bare.normalize == (mode == "layer_norm")
    for field in ("conv_feature_layers", "encoder_attention_heads", "conv_pos", "conv_pos_groups",
                  "encoder_layers", "encoder_ffn_embed_dim", "conv_bias", "layer_norm_first"):
        got, want = fs_bare.cfg[field], fs_full.cfg[field]
        if field == "conv_feature_layers":
            from spoofcm.ssl.convert import parse_conv_layers
            got, want = parse_conv_layers(got), parse_conv_layers(want)
        assert got == want, field
    wave = np.random.RandomState(0).randn(1, 12000).astype(np.float32)
    torch.testing.assert_close(_outputs(load(bare), wave), _outputs(load(full), wave))


def test_legacy_torch_format(tmp_path, fairseq_golden):
    """Checkpoints written before torch 1.6 (no zip archive) load too."""
    ckpt = read_checkpoint(fairseq_golden / "legacy_args_style.pt")
    path = tmp_path / "wav2vec_2020.pt"
    torch.save(ckpt, path, _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(path)
    wave = np.load(fairseq_golden / "input_1s.npy")
    ref = np.load(fairseq_golden / "legacy_args_style__1s__x.npy")
    np.testing.assert_allclose(_outputs(load(path), wave).numpy(), ref, atol=1e-5, rtol=1e-5)
