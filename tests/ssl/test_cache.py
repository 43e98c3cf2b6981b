"""Stage 2 library: tags, length batching, and cached matrices equal to on-the-fly extraction."""
from __future__ import annotations

import kaldiio
import numpy as np
import pytest
import torch
from helpers.ssl_helpers import make_data_dir

from spoofcm.audio.io import read_audio
from spoofcm.data.datadir import load_data_dir
from spoofcm.ssl import extract
from spoofcm.data.dump import dump_ssl_job
from spoofcm.features.streams import SSLFeatures, plan_batches
from spoofcm.ssl.cache import ssl_tag


def dump_job(data, out, model, layers, job, nj, batch_seconds=60.0):
    return dump_ssl_job(data, out, SSLFeatures(model, layers, torch.device("cpu")), job, nj,
                        batch_seconds)


def test_plan_batches_groups_similar_lengths_under_budget():
    lengths = [100, 900, 120, 880, 500, 5000]
    batches = plan_batches(lengths, max_samples=2000)
    assert sorted(i for b in batches for i in b) == list(range(6))  # nothing dropped
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 2000
    assert batches == [[0, 2, 4], [3, 1], [5]]  # sorted by length, 3 × 500 fits, 3 × 880 not


def test_plan_batches_exact_lengths():
    batches = plan_batches([100, 100, 120, 100], max_samples=10_000, exact=True)
    assert sorted(map(sorted, batches)) == [[0, 1, 3], [2]]


def test_ssl_tag_depends_on_content_and_layers(tmp_path, tiny_ckpt):
    tag = ssl_tag(tiny_ckpt, [-1])
    assert tag.endswith("_L-1") and len(tag.split("_")[0]) == 10
    assert ssl_tag(tiny_ckpt, [6, 12]).endswith("_L6_12")
    copy = tmp_path / "renamed.pt"
    copy.write_bytes(tiny_ckpt.read_bytes())
    assert ssl_tag(copy, [-1]) == tag  # content, not the name
    other = tmp_path / "other.pt"
    other.write_bytes(tiny_ckpt.read_bytes() + b"\0")
    assert ssl_tag(other, [-1]) != tag


@pytest.mark.parametrize("batch_seconds", [0.5, 20.0])
def test_cache_equals_on_the_fly(tmp_path, tiny_model, batch_seconds):
    data = make_data_dir(tmp_path, [1.0, 2.37, 1.5, 0.8, 3.0])
    out = tmp_path / "ssl"
    layers = [0, -1]
    counts = [dump_job(data, out, tiny_model, layers, job=j, nj=2, batch_seconds=batch_seconds)
              for j in (1, 2)]
    # whole batches go to the jobs: one utterance per batch at 0.5 s, one batch at 20 s
    assert counts == ([3, 2] if batch_seconds < 1 else [5, 0])
    dd = load_data_dir(data)
    cached = {}
    for j in (1, 2):
        cached.update(kaldiio.load_scp(str(out / f"feats.{j}.scp")))
    assert sorted(cached) == dd.utts
    frames = dict(line.split() for j in (1, 2) for line in
                  (out / f"utt2num_frames.{j}.txt").read_text().splitlines())
    assert (out / "layers").read_text() == "0\n-1\n"
    assert (out / "dim").read_text() == f"{tiny_model.config.hidden_size}\n"
    for utt in dd.utts:
        with torch.no_grad():
            ref = extract(tiny_model, read_audio(dd.wav[utt]), layers).numpy()
        mat = cached[utt]
        assert mat.dtype == np.float16 and mat.shape == ref.shape
        assert int(frames[utt]) == ref.shape[0] == 1 + (dd.utt2num_samples[utt] - 400) // 320
        np.testing.assert_allclose(mat.astype(np.float32), ref, rtol=2e-3, atol=2e-3)


def test_cache_does_not_depend_on_the_number_of_jobs(tmp_path, tiny_model):
    """Same bytes per utterance for --nj 1, 2 and 3 (the batches are planned over the set)."""
    data = make_data_dir(tmp_path, [1.0, 2.37, 1.5, 0.8, 3.0, 1.1, 2.0])
    caches = []
    for nj in (1, 2, 3):
        out = tmp_path / f"ssl{nj}"
        for j in range(1, nj + 1):
            dump_job(data, out, tiny_model, [-1], job=j, nj=nj, batch_seconds=4.0)
        mats: dict[str, np.ndarray] = {}
        for j in range(1, nj + 1):
            mats.update(kaldiio.load_scp(str(out / f"feats.{j}.scp")))
        caches.append({u: m.tobytes() for u, m in mats.items()})
    assert len(caches[0]) == 7 and caches[0] == caches[1] == caches[2]


def test_done_job_is_skipped(tmp_path, tiny_model):
    data = make_data_dir(tmp_path, [1.0, 1.2])
    out = tmp_path / "ssl"
    assert dump_job(data, out, tiny_model, [-1], job=1, nj=1) == 2
    assert (out / ".done.1").is_file()
    assert dump_job(data, out, tiny_model, [-1], job=1, nj=1) is None


def test_too_short_audio_is_an_error(tmp_path, tiny_model):
    from spoofcm.errors import SpoofcmError

    data = make_data_dir(tmp_path, [1.0, 0.02])
    with pytest.raises(SpoofcmError, match="shorter than one wav2vec 2.0 frame"):
        dump_job(data, tmp_path / "ssl", tiny_model, [-1], job=1, nj=1)
    assert not (tmp_path / "ssl" / ".done.1").exists()
    assert not (tmp_path / "ssl" / "feats.1.ark").exists()
