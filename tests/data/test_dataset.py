"""Aligned crops across streams, repeat padding, determinism and cache lookup."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import tinycm  # noqa: E402

from spoofcm.data import dataset as ds_mod  # noqa: E402
from spoofcm.data.dataset import (StreamDataset, crop_units, cut, num_units, random_crop,  # noqa: E402
                                  ssl_cache_dim, ssl_cache_root, windows)
from spoofcm.errors import SpoofcmError  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return tinycm.make_corpus(tmp_path_factory.mktemp("corpus"))


def synthetic(n_samples: int) -> dict[str, np.ndarray]:
    """Streams whose content is their own time index (samples for wav)."""
    t_l = 1 + (n_samples - 400) // 160
    t_s = 1 + (n_samples - 400) // 320
    return {"wav": np.arange(n_samples, dtype=np.float64),
            "logmel": np.repeat(np.arange(t_l, dtype=np.float64)[:, None] * 160, 3, axis=1),
            "ssl": np.repeat(np.arange(t_s, dtype=np.float64)[:, None] * 320, 2, axis=1)}


def assert_aligned(c: dict[str, np.ndarray], units: int) -> None:
    """Every stream starts each unit at the same sample instant."""
    assert c["ssl"].shape[0] == units and c["logmel"].shape[0] == 2 * units
    assert c["wav"].shape[0] == 320 * units
    np.testing.assert_array_equal(c["logmel"][::2, 0], c["ssl"][:, 0])
    np.testing.assert_array_equal(c["wav"][::320], c["ssl"][:, 0])


def test_crop_units_from_seconds():
    assert crop_units(4.0) == 200
    assert crop_units(1.0) == 50
    with pytest.raises(SpoofcmError):
        crop_units(0)


@pytest.mark.parametrize("n_samples", [64000 * 2 + 123, 64000, 20000, 1000])
def test_random_crop_same_instant_in_every_stream(n_samples):
    streams = synthetic(n_samples)
    rng = np.random.default_rng(0)
    for _ in range(20):
        c, start = random_crop(streams, 200, rng)
        assert_aligned(c, 200)
        if num_units(streams) >= 200:
            assert c["ssl"][0, 0] == 320 * start  # a real offset, not always zero
        else:
            assert start == 0


def test_short_utterance_is_tiled_consistently():
    streams = synthetic(20000)  # 1.25 s: 61 SSL frames, 123 log-mel frames
    u = num_units(streams)
    assert u == 61
    c = cut(streams, 0, 200)
    assert_aligned(c, 200)
    # the tile restarts at unit u in every stream
    assert c["ssl"][u, 0] == 0 and c["logmel"][2 * u, 0] == 0 and c["wav"][320 * u] == 0
    np.testing.assert_array_equal(c["ssl"][:u, 0], 320 * np.arange(u))


def test_windows_cover_the_utterance():
    streams = synthetic(16000 * 9 + 77)
    ws = windows(streams, 200)
    total = num_units(streams)
    assert len(ws) == 3
    for w in ws:
        assert_aligned(w, 200)
    assert ws[-1]["ssl"][-1, 0] == 320 * (total - 1)  # last window ends at the end


def test_random_starts_vary_and_repeat(corpus):
    cfg = tinycm.base_config(crop_seconds=0.25)
    ds = StreamDataset(corpus / "data" / "train", corpus / "dump", "train", ("ssl", "logmel"), cfg)
    a = [ds[i][0]["ssl"][0, 0].item() for i in range(len(ds))]
    assert a == [ds[i][0]["ssl"][0, 0].item() for i in range(len(ds))]
    ds.set_epoch(1)
    b = [ds[i][0]["ssl"][0, 0].item() for i in range(len(ds))]
    assert a != b
    assert len(set(a)) > 1


def test_dataset_streams_aligned_and_labelled(corpus):
    cfg = tinycm.base_config(crop_seconds=1.0)
    ds = StreamDataset(corpus / "data" / "train", corpus / "dump", "train", ("ssl", "logmel"), cfg)
    for i in range(len(ds)):
        streams, label, utt = ds[i]
        assert streams["ssl"].shape == (50, 8) and streams["logmel"].shape == (100, 128)
        np.testing.assert_array_equal(streams["logmel"][::2, 0].numpy(),
                                      2 * streams["ssl"][:, 0].numpy())
        assert label == (1 if ds.data.utt2label[utt] == "bonafide" else 0)
        # class shows in the content columns as the corpus wrote it
        assert (streams["ssl"][:, 1:].mean() > 0) == (label == 1)


def test_eval_mode_full_utterance(corpus):
    cfg = tinycm.base_config()
    ds = StreamDataset(corpus / "data" / "dev", corpus / "dump", "dev", ("ssl", "logmel"), cfg,
                       mode="eval")
    for i in range(len(ds)):
        streams, _, utt = ds[i]
        n = ds.data.utt2num_samples[utt]
        assert streams["ssl"].shape[0] == 1 + (n - 400) // 320
        assert streams["logmel"].shape[0] == 2 * streams["ssl"].shape[0]


def test_wav_stream_read_from_wav_scp(corpus):
    pytest.importorskip("spoofcm.audio.io")
    cfg = tinycm.base_config(crop_seconds=1.0)
    ds = StreamDataset(corpus / "data" / "train", corpus / "dump", "train",
                       ("wav", "logmel", "ssl"), cfg)
    streams, _, _ = ds[0]
    assert streams["wav"].shape == (16000,) and streams["ssl"].shape[0] == 50
    ev = StreamDataset(corpus / "data" / "train", None, "train", ("wav",), cfg, mode="eval")
    streams, _, utt = ev[0]
    assert streams["wav"].shape[0] == ev.data.utt2num_samples[utt]  # single stream: untrimmed


def test_ssl_cache_lookup_and_dim(corpus):
    cfg = tinycm.base_config()
    assert ssl_cache_root(cfg, corpus / "dump") == corpus / "dump" / "ssl" / "tinytag"
    assert ssl_cache_dim(corpus / "dump" / "ssl" / "tinytag") == 8
    cfg["ssl"]["cache_dir"] = None
    with pytest.raises(SpoofcmError, match="ssl.cache_dir is not set"):
        ssl_cache_root(cfg, corpus / "dump")
    cfg["ssl"]["cache"] = False
    with pytest.raises(SpoofcmError, match="ssl.cache is false"):
        StreamDataset(corpus / "data" / "dev", corpus / "dump", "dev", ("ssl",), cfg)


def test_missing_features_named(corpus, tmp_path):
    import shutil
    root = tmp_path / "c"
    shutil.copytree(corpus, root)
    scp = root / "dump" / "logmel" / "dev" / "feats.scp"
    lines = scp.read_text().splitlines()
    scp.write_text("\n".join(lines[1:]) + "\n")
    with pytest.raises(SpoofcmError, match="missing"):
        StreamDataset(root / "data" / "dev", root / "dump", "dev", ("logmel",),
                      tinycm.base_config())
    with pytest.raises(SpoofcmError, match="expected a subset"):
        StreamDataset(root / "data" / "dev", root / "dump", "dev", ("mfcc",),
                      tinycm.base_config())
