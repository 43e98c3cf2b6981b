"""Score your own audio files with a trained model: ``spoofcm-score --exp exp/<tag> a.flac b.wav``
or ``--wav-scp wav.scp``. Prints ``<utt-or-path> <score> <bonafide|spoof>`` per file.

Any sample rate or channel count is read (resampled to 16 kHz, mixed to mono, with a warning).
The features the model needs are computed on the fly (log-mel; SSL layers from the checkpoint
named in the experiment's config, rounded to float16 as the training cache was). The decision
uses the threshold stored with the model: the calibrated one from ``calibration.json`` when
stage 5 wrote it, else the dev EER threshold of ``threshold.json``. A file that cannot be read
is reported on stderr by name; the others are still scored and the exit code is 1.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any


from spoofcm.bin.common import add_scoring_options
from spoofcm.errors import SpoofcmError, cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-score", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--exp", type=Path, help="exp/<tag> of a trained model")
    p.add_argument("--model", type=Path,
                   help="an exported model (spoofcm-export) instead of --exp")
    p.add_argument("files", nargs="*", help="audio files (any format soundfile reads)")
    p.add_argument("--wav-scp", type=Path, help="Kaldi wav.scp (utt path) instead of files")
    p.add_argument("--out", type=Path, help="also write a score file (utt score)")
    add_scoring_options(p, "file")
    return p


def decision_threshold(exp: Path) -> tuple[float | None, str]:
    """Score threshold (bona fide iff score ≥ it) and where it came from; a stored decision
    that cannot be used is reported in one warning line (spoofcm.metrics.decisions)."""
    from spoofcm.metrics.decisions import decision_threshold as stored_decision
    threshold, source, warnings = stored_decision(exp)
    for msg in warnings:
        print(f"spoofcm-score: warning: {msg}", file=sys.stderr)
    return threshold, source


def read_inputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    if args.wav_scp and args.files:
        raise SpoofcmError("give audio files or --wav-scp, not both")
    if args.wav_scp:
        from spoofcm.data.datadir import read_map
        return list(read_map(args.wav_scp).items())
    if not args.files:
        raise SpoofcmError("no input: give audio files or --wav-scp")
    return [(f, f) for f in args.files]


def experiment_scorer(args: argparse.Namespace) -> tuple[Any, float | None, str]:
    """Score function over a trained experiment (features computed now), its threshold."""
    threshold, source = decision_threshold(args.exp)
    from spoofcm.data.dataset import crop_units
    from spoofcm.device import choose_device
    from spoofcm.features.streams import compute_streams
    from spoofcm.infer.load import load_exp_model, load_frontend
    from spoofcm.infer.modes import resolve_mode, score_streams
    from spoofcm.infer.scoring import score_one

    device = choose_device(args.device)
    model, cfg = load_exp_model(args.exp, args.checkpoint, args.trust_checkpoint, device,
                                args.ssl_checkpoint)
    ssl = load_frontend(model, cfg, device, args.trust_checkpoint)
    mode = resolve_mode(cfg, args.mode, args.window_seconds)
    if not mode.is_default:  # e.g. the AASIST official crop (spoofcm.infer.modes)
        print(f"# scoring: {mode.describe()}", file=sys.stderr)
        inputs = tuple(model.inputs)
        return (lambda wave, name: score_streams(
            model, compute_streams(inputs, [name], [wave], ssl)[0], device, mode),
            threshold, source)
    units = mode.window_units
    crop = crop_units(float(cfg["train"]["crop_seconds"]))
    max_units = crop_units(args.max_seconds or cfg["infer"]["max_seconds"])
    return (lambda wave, name: score_one(model, ssl, wave, name, device, units, max_units, crop),
            threshold, source)


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if (args.exp is None) == (args.model is None):
        raise SpoofcmError("give exactly one of --exp (experiment) or --model (exported file)")
    items = read_inputs(args)
    if args.model is not None:
        from spoofcm.export.score import exported_scorer
        score_fn, threshold, source = exported_scorer(args)
    else:
        score_fn, threshold, source = experiment_scorer(args)
    from spoofcm.audio.io import read_audio
    from spoofcm.infer.scoring import write_scores
    print(f"# threshold {threshold if threshold is None else format(threshold, '.6f')} "
          f"({source}); score = log-odds, higher = bona fide", file=sys.stderr)
    names, scores, failed = [], [], []
    for name, path in items:
        try:
            score = score_fn(read_audio(path), path)
            if not math.isfinite(score):
                raise SpoofcmError(f"{path}: score is {score}")
        except SpoofcmError as exc:  # one file's problem; the others go on
            failed.append(name)
            msg = str(exc) if name == path and path in str(exc) else f"{name}: {exc}"
            print(f"spoofcm-score: error: {msg}", file=sys.stderr, flush=True)
            continue
        names.append(name)
        scores.append(score)
        label = "-" if threshold is None else "bonafide" if score >= threshold else "spoof"
        print(f"{name} {score:.6f} {label}", flush=True)
    if args.out:
        write_scores(args.out, names, scores)
    if failed:
        print(f"spoofcm-score: {len(failed)} of {len(items)} files failed: {' '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
