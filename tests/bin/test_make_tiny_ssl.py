"""spoofcm-make-tiny-ssl: writes a fairseq-format checkpoint that spoofcm.ssl.load reads."""
from __future__ import annotations

import hashlib
import os

import torch

from spoofcm.bin.make_tiny_ssl import main
from spoofcm.ssl import load


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_writes_loadable_checkpoint(tmp_path):
    out = tmp_path / "sub" / "tiny.pt"
    assert main(["--out", str(out), "--seed", "1"]) == 0
    model = load(out)
    assert model.config.num_hidden_layers == 3 and model.config.spoofcm_normalize is True
    assert os.stat(out).st_mode & 0o044  # readable beyond the owner, like any model file
    assert [p.name for p in out.parent.iterdir()] == ["tiny.pt"]  # no temp file left
    again = tmp_path / "again.pt"
    main(["--out", str(again), "--seed", "1"])
    ck1, ck2 = torch.load(out, weights_only=True), torch.load(again, weights_only=True)
    assert all(torch.equal(ck1["model"][k], ck2["model"][k]) for k in ck1["model"])


def test_unknown_preset_is_rejected(tmp_path, capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "x.pt"), "--preset", "huge"])
    assert "invalid choice" in capsys.readouterr().err
