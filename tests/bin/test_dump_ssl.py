"""spoofcm-dump-ssl: tag printing, one job end to end, resume without recomputation, errors."""
from __future__ import annotations

import sys
from pathlib import Path

import kaldiio
import pytest

from helpers.ssl_helpers import make_data_dir  # noqa: E402

from spoofcm.bin.dump_ssl import main  # noqa: E402
from spoofcm.ssl.fairseq_write import write_random_checkpoint  # noqa: E402


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    write_random_checkpoint(path, "tiny", seed=0)
    return path


def test_print_tag(ckpt, capsys):
    assert main(["--print-tag", "--checkpoint", str(ckpt), "--layers", "6,12"]) == 0
    tag = capsys.readouterr().out.strip()
    assert tag.endswith("_L6_12") and "\n" not in tag
    assert main(["--print-tag", "--layers", "-2,-1", "--checkpoint", str(ckpt)]) == 0
    assert capsys.readouterr().out.strip() == tag.replace("_L6_12", "_L-2_-1")


def test_job_then_resume_skips(tmp_path, ckpt, capsys):
    data = make_data_dir(tmp_path, [1.0, 1.4, 2.0])
    out = tmp_path / "dump"
    # 1.5 s of padded audio per batch: one utterance per batch, so two jobs split 2 + 1
    args = ["--data", str(data), "--out", str(out), "--checkpoint", str(ckpt), "--layers", "-1,1",
            "--nj", "2", "--batch-seconds", "1.5"]
    assert main(args + ["--job", "1"]) == 0
    ark = out / "feats.1.ark"
    mtime = ark.stat().st_mtime_ns
    feats = kaldiio.load_scp(str(out / "feats.1.scp"))
    assert sorted(feats) == ["utt000", "utt001"]
    assert feats["utt000"].shape == (49, 2 * 64)
    assert not (out / ".done.2").exists()
    assert main(args + ["--job", "1"]) == 0  # finished: skipped, nothing rewritten
    assert ark.stat().st_mtime_ns == mtime
    assert "already done" in capsys.readouterr().err
    assert main(args + ["--job", "2"]) == 0
    assert sorted(kaldiio.load_scp(str(out / "feats.2.scp"))) == ["utt002"]


@pytest.mark.parametrize("extra,needle", [
    (["--layers", "7"], "out of range"),
    (["--ngpu", "1"], "CUDA"),
])
def test_errors_are_one_line(tmp_path, ckpt, capsys, extra, needle):
    import torch

    if needle == "CUDA" and torch.cuda.is_available():
        pytest.skip("a GPU is present")
    data = make_data_dir(tmp_path, [1.0])
    rc = main(["--data", str(data), "--out", str(tmp_path / "o"), "--checkpoint", str(ckpt)] + extra)
    err = capsys.readouterr().err.strip()
    assert rc == 1 and needle in err and len(err.splitlines()) == 1


def test_bad_checkpoint(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    assert main(["--print-tag", "--checkpoint", str(tmp_path / "missing.pt")]) == 1
    data = make_data_dir(tmp_path, [1.0])
    assert main(["--data", str(data), "--out", str(tmp_path / "o"), "--checkpoint", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "missing.pt: SSL checkpoint not found" in err and "not a PyTorch checkpoint" in err
