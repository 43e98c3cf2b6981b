"""Score a set with a trained model (stage 4), one job's share: ``spoofcm-infer --exp exp/<tag>
--data data/<set> --dump-dir dump --out exp/<tag>/scores/<set> --job J --nj N``.

Writes ``<out>/score.J.txt`` (``utt score``, higher = more bona fide) and ``<out>/.done.J``;
exits at once if that marker exists. Full utterances by default; ``--window-seconds 4`` averages
the logits of fixed 4 s windows instead (as a crop-trained model sees its input). An experiment
whose config sets ``infer.mode`` (an imported AASIST: ``official_crop``) is scored that way
unless ``--mode`` says otherwise (see spoofcm.infer_modes).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.bin.common import add_scoring_options
from spoofcm.errors import SpoofcmError, cli_main
from spoofcm.fsutil import is_done, mark_done
from spoofcm.infer_modes import resolve_mode, score_dataset


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-infer", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--exp", required=True, type=Path, help="exp/<tag> (holds best.pt)")
    p.add_argument("--data", required=True, type=Path, help="data dir of the set to score")
    p.add_argument("--dump-dir", type=Path, default=None, help="<recipe>/dump (cached features)")
    p.add_argument("--out", required=True, type=Path, help="output dir")
    p.add_argument("--job", type=int, default=1, help="this job (1-based)")
    p.add_argument("--nj", type=int, default=1, help="number of jobs")
    add_scoring_options(p, "utterance")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    done = args.out / f".done.{args.job}"
    if is_done(done):
        return 0
    import torch

    from spoofcm.data.datadir import load_data_dir
    from spoofcm.data.dataset import StreamDataset
    from spoofcm.data.split import job_slice
    from spoofcm.train.checkpoint import load_exp_model
    from spoofcm.train.evaluate import score_indices, write_scores
    from spoofcm.train.nonneural import score_waves

    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device("cuda" if use_cuda else "cpu")
    model, cfg = load_exp_model(args.exp, args.checkpoint, args.trust_checkpoint, device)
    data = load_data_dir(args.data)
    utts = job_slice(data.utts, args.job, args.nj)
    if not utts:
        scores: list[float] = []
    elif getattr(model, "is_neural", True) is False:
        scores = score_waves(model, data, utts)
    else:
        ds = StreamDataset(data, args.dump_dir, args.data.name, model.inputs, cfg, mode="eval",
                           utts=utts)
        mode = resolve_mode(cfg, args.mode, args.window_seconds)
        if mode.is_default:
            amp = str((cfg.get("train") or {}).get("amp", "none")).lower() == "bf16"
            got, scores, _, _ = score_indices(model, ds, range(len(ds)), device,
                                              amp and device.type == "cuda", mode.window_units,
                                              progress=True,
                                              desc=f"score {args.data.name} job {args.job}")
        else:   # e.g. the AASIST official crop (spoofcm.infer_modes)
            got, scores = score_dataset(model, ds, device, mode)
        if got != utts:
            raise SpoofcmError(f"{args.data}: scored utterances do not match the job's slice")
    args.out.mkdir(parents=True, exist_ok=True)
    write_scores(args.out / f"score.{args.job}.txt", utts, scores)
    mark_done(done, f"{len(utts)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
