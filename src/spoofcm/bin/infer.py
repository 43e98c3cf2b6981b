"""Score a set with a trained model (stage 4), one job's share: ``spoofcm-infer --exp exp/<tag>
--data data/<set> [--dump-dir dump] --out exp/<tag>/scores/<set> --job J --nj N``.

Writes ``<out>/score.J.txt`` (``utt score``, higher = more bona fide) and ``<out>/.done.J``;
exits at once if that marker exists. Features: from the stage 1–2 cache when ``--dump-dir``
holds a finished cache of this set for every stream the model reads, otherwise computed from
the audio inside the scoring loop (batched by length, on GPU with ``--ngpu``), which is how the
recipes score eval sets by default. Full utterances by default; ``--window-seconds 4`` averages
the logits of fixed 4 s windows instead (as a crop-trained model sees its input). An experiment
whose config sets ``infer.mode`` (an imported AASIST: ``official_crop``) is scored that way
unless ``--mode`` says otherwise (:mod:`spoofcm.infer.modes`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.bin.argtypes import nonneg_int, positive_int
from spoofcm.bin.common import add_scoring_options
from spoofcm.errors import SpoofcmError, cli_main
from spoofcm.fsutil import is_done, mark_done


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-infer", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--exp", required=True, type=Path, help="exp/<tag> (holds best.pt)")
    p.add_argument("--data", required=True, type=Path, help="data dir of the set to score")
    p.add_argument("--dump-dir", type=Path, default=None,
                   help="<recipe>/dump (cached features); without it features come from audio")
    p.add_argument("--features", default="auto", choices=("auto", "cache", "audio"),
                   help="auto: the cache when it holds this set, else audio (default auto)")
    p.add_argument("--out", required=True, type=Path, help="output dir")
    p.add_argument("--job", type=positive_int, default=1, help="this job (1-based)")
    p.add_argument("--nj", type=positive_int, default=1, help="number of jobs")
    p.add_argument("--ngpu", type=nonneg_int, default=None,
                   help="GPUs to spread the jobs over (job J on GPU (J-1) mod N); default: --device")
    add_scoring_options(p, "utterance")
    return p


def score_job(args: argparse.Namespace) -> tuple[list[str], list[float]]:
    """This job's utterances and their scores: a contiguous slice of the data dir, or, when
    features come from audio, the job's share of length-sorted batches planned over the whole
    set (so that scores do not depend on --nj)."""
    from spoofcm.data.datadir import load_data_dir
    from spoofcm.data.dataset import StreamDataset, crop_units, is_cached
    from spoofcm.data.split import job_slice
    from spoofcm.device import choose_device
    from spoofcm.infer.load import load_exp_model, load_frontend
    from spoofcm.infer.modes import resolve_mode, score_dataset
    from spoofcm.infer.scoring import audio_batches, score_audio, score_indices, score_waves

    device = choose_device(args.device, args.ngpu, args.job)
    model, cfg = load_exp_model(args.exp, args.checkpoint, args.trust_checkpoint, device,
                                args.ssl_checkpoint)
    data = load_data_dir(args.data)
    utts = job_slice(data.utts, args.job, args.nj)
    if getattr(model, "is_neural", True) is False:
        return utts, score_waves(model, data, utts)
    inputs = tuple(model.inputs)
    mode = resolve_mode(cfg, args.mode, args.window_seconds)
    if not mode.is_default:  # e.g. the AASIST official crop of a raw-waveform model
        ds = StreamDataset(data, args.dump_dir, args.data.name, inputs, cfg, mode="eval", utts=utts)
        got, scores = score_dataset(model, ds, device, mode)
        if got != utts:
            raise SpoofcmError(f"{args.data}: scored utterances do not match the job's slice")
        return utts, scores
    set_name = args.data.name
    cached = is_cached(args.dump_dir, inputs, set_name, cfg)
    if args.features == "cache" and not cached:
        raise SpoofcmError(f"--features cache: no finished cache of set '{set_name}' for "
                           f"streams {inputs} under {args.dump_dir}")
    units = crop_units(args.window_seconds) if args.window_seconds else None
    max_units = crop_units(args.max_seconds or cfg["infer"]["max_seconds"])
    amp = cfg["train"]["amp"] == "bf16" and device.type == "cuda"
    desc = f"score {set_name} job {args.job}"
    if cached and args.features != "audio":
        ds = StreamDataset(data, args.dump_dir, set_name, inputs, cfg, mode="eval", utts=utts)
        got, scores, _, _ = score_indices(model, ds, range(len(ds)), device, amp, units,
                                          progress=True, desc=desc, max_units=max_units)
        if got != utts:
            raise SpoofcmError(f"{args.data}: scored utterances do not match the job's slice")
        return utts, scores
    print(f"spoofcm-infer: {set_name}: features computed from the audio on {device}",
          file=sys.stderr)
    ssl = load_frontend(model, cfg, device, args.trust_checkpoint)
    plan = audio_batches(data, ssl, cfg["infer"]["batch_seconds"], args.job, args.nj)
    scored = score_audio(model, cfg, data, plan, device, ssl, amp, units, max_units,
                         progress=True, desc=desc)
    mine = [u for u in data.utts if u in scored]  # data-dir order
    return mine, [scored[u] for u in mine]


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    done = args.out / f".done.{args.job}"
    if is_done(done):
        return 0
    from spoofcm.infer.scoring import write_scores

    utts, scores = score_job(args)
    args.out.mkdir(parents=True, exist_ok=True)
    write_scores(args.out / f"score.{args.job}.txt", utts, scores)
    mark_done(done, f"{len(utts)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
