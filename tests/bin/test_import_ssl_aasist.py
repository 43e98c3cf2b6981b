"""spoofcm-import-ssl-aasist: an authors'-layout checkpoint becomes a scorable experiment."""
from __future__ import annotations

import torch
import yaml

from spoofcm.bin.import_ssl_aasist import main
from spoofcm.models.aasist import build_ssl_aasist
from spoofcm.ssl.convert import from_hf_state
from spoofcm.ssl.fairseq_write import write_random_checkpoint
from spoofcm.infer.load import load_exp_model

SMALL = {"name": "ssl_aasist", "ll_dim": 24, "filts": [[1, 4], [4, 4], [4, 8]], "gat_dims": [8, 4],
         "normalize_input": False}


def test_import_writes_an_experiment_that_scores_like_the_source(tmp_path):
    ssl_ckpt = tmp_path / "tiny.pt"
    write_random_checkpoint(ssl_ckpt, "tiny", seed=0)
    cfg = {"model": SMALL, "ssl": {"checkpoint": str(ssl_ckpt), "layers": [-1], "freeze": False,
                                   "cache": False}}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    torch.manual_seed(5)
    source = build_ssl_aasist(SMALL, cfg)
    ours = source.state_dict()
    enc = {k[4:]: v for k, v in ours.items() if k.startswith("ssl.")}
    mode = "layer_norm" if source.ssl.config.feat_extract_norm == "layer" else "default"
    authors = {f"ssl_model.model.{k}": v for k, v in from_hf_state(enc, mode).items()}
    authors.update({k: v for k, v in ours.items() if not k.startswith("ssl.")})
    torch.save(authors, tmp_path / "LA_model.pth")

    exp = tmp_path / "exp"
    assert main(["--checkpoint", str(tmp_path / "LA_model.pth"), "--exp", str(exp),
                 "--config", str(tmp_path / "cfg.yaml")]) == 0
    model, _ = load_exp_model(exp)
    source.eval()
    wav = torch.randn(1, 16000)
    with torch.no_grad():
        torch.testing.assert_close(model({"wav": wav}), source({"wav": wav}))
    assert main(["--checkpoint", str(tmp_path / "missing.pth"), "--exp", str(tmp_path / "x"),
                 "--config", str(tmp_path / "cfg.yaml")]) == 1
