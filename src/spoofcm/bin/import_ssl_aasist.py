"""Import a released SSL-AASIST checkpoint (Tak et al.) as a spoofcm experiment.

The authors' ``LA_model.pth`` / ``DF_model.pth`` is a state dict with the fairseq XLS-R weights
under ``ssl_model.model.`` and the AASIST back end (sometimes under a DataParallel ``module.``
prefix). This program renames it onto ``ssl_aasist`` (encoder architecture from
``ssl.checkpoint``, e.g. ``xlsr2_300m.pt``), checks every tensor, and writes ``<exp>/best.pt``
(+ ``config.yaml``), so ``spoofcm-infer --exp <exp>`` / ``spoofcm-score --exp <exp>`` score with
the published model.

  spoofcm-import-ssl-aasist --checkpoint LA_model.pth --exp exp/ssl_aasist_published \\
      --config conf/model/ssl_aasist.yaml --ssl.checkpoint /path/xlsr2_300m.pt
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.errors import SpoofcmError, cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-import-ssl-aasist", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, type=Path, help="the authors' .pth state dict")
    p.add_argument("--exp", required=True, type=Path, help="output experiment dir (gets best.pt)")
    p.add_argument("--config", action="append", default=[],
                   help="YAML config(s), e.g. conf/model/ssl_aasist.yaml (repeatable)")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="allow arbitrary pickled types in --checkpoint (only for trusted files)")
    p.add_argument("--force", action="store_true", help="overwrite an existing <exp>/best.pt")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args, rest = build_parser().parse_known_args(argv)
    from spoofcm.config import dump_yaml, load_config
    from spoofcm.models.aasist import build_ssl_aasist, import_ssl_aasist_checkpoint
    from spoofcm.ssl.fairseq_ckpt import read_checkpoint
    from spoofcm.train import checkpoint as ckpt

    out = args.exp / "best.pt"
    if out.exists() and not args.force:
        print(f"{out} exists: nothing to do (--force to overwrite)", file=sys.stderr)
        return 0
    cfg = load_config(args.config, rest)
    if (cfg.get("model") or {}).get("name") != "ssl_aasist":
        raise SpoofcmError("--config must select model.name: ssl_aasist (conf/model/ssl_aasist.yaml)")
    if (cfg.get("ssl") or {}).get("cache"):
        raise SpoofcmError("the published SSL-AASIST fine-tunes its encoder: set ssl.cache: false")
    state = read_checkpoint(args.checkpoint, trust=args.trust_checkpoint)
    model = build_ssl_aasist(cfg["model"], cfg)
    weights = import_ssl_aasist_checkpoint(state, model)
    model.load_state_dict(weights, strict=True)
    args.exp.mkdir(parents=True, exist_ok=True)
    dump_yaml(cfg, args.exp / "config.yaml")
    ckpt.save({"model": model.state_dict(), "config": cfg, "epoch": 0, "finished": True,
               "history": [], "imported_from": str(args.checkpoint)}, out)
    print(f"imported {args.checkpoint} ({len(weights)} tensors) -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
