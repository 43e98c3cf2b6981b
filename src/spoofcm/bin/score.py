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
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from spoofcm.bin.common import add_scoring_options
from spoofcm.errors import SpoofcmError, cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-score", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--exp", required=True, type=Path, help="exp/<tag> of a trained model")
    p.add_argument("files", nargs="*", help="audio files (any format soundfile reads)")
    p.add_argument("--wav-scp", type=Path, help="Kaldi wav.scp (utt path) instead of files")
    p.add_argument("--out", type=Path, help="also write a score file (utt score)")
    add_scoring_options(p, "file")
    return p


def decision_threshold(exp: Path) -> tuple[float, str]:
    """Score threshold (bona fide iff score ≥ it) and where it came from."""
    cal = exp / "calibration.json"
    if cal.is_file():
        from spoofcm.metrics.calibration import Calibration, DcfModel
        c = Calibration.load(cal)
        if not c.a > 0:
            raise SpoofcmError(f"{cal}: calibration slope a={c.a} is not positive")
        return (DcfModel().bayes_threshold - c.b) / c.a, "calibrated (Bayes threshold on LLR)"
    path = exp / "threshold.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return float(info["threshold"]), "dev EER threshold"
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: not found (train the model with spoofcm-train)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SpoofcmError(f"{path}: not a threshold file ({exc})") from None


def read_inputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    if args.wav_scp and args.files:
        raise SpoofcmError("give audio files or --wav-scp, not both")
    if args.wav_scp:
        from spoofcm.data.datadir import read_map
        return list(read_map(args.wav_scp).items())
    if not args.files:
        raise SpoofcmError("no input: give audio files or --wav-scp")
    return [(f, f) for f in args.files]


def score_one(model: Any, ssl: Any, wave: np.ndarray, name: str, device: Any,
              window_units: int | None) -> float:
    """Score one waveform, its features computed as stages 1–2 would have stored them."""
    from spoofcm.features.streams import compute_streams
    from spoofcm.infer.scoring import forward_score, logits_to_scores
    import torch
    if getattr(model, "is_neural", True) is False:
        return float(model.score_wave(wave))
    streams = compute_streams(tuple(model.inputs), [name], [wave], ssl)[0]
    with torch.inference_mode():
        return float(logits_to_scores(forward_score(model, streams, device, False, window_units))[0])


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    items = read_inputs(args)
    threshold, source = decision_threshold(args.exp)
    from spoofcm.audio.io import read_audio
    from spoofcm.data.dataset import crop_units
    from spoofcm.device import choose_device
    from spoofcm.features.streams import load_ssl_features
    from spoofcm.infer.load import load_exp_model
    from spoofcm.infer.scoring import write_scores

    device = choose_device(args.device)
    model, cfg = load_exp_model(args.exp, args.checkpoint, args.trust_checkpoint, device,
                                args.ssl_checkpoint)
    neural = getattr(model, "is_neural", True) is not False
    ssl = (load_ssl_features(cfg, device, args.trust_checkpoint, args.ssl_checkpoint)
           if neural and "ssl" in model.inputs else None)
    units = crop_units(args.window_seconds) if args.window_seconds else None
    print(f"# threshold {threshold:.6f} ({source}); score = log-odds, higher = bona fide",
          file=sys.stderr)
    names, scores, failed = [], [], []
    for name, path in items:
        try:
            score = score_one(model, ssl, read_audio(path), path, device, units)
            if not math.isfinite(score):
                raise SpoofcmError(f"{path}: score is {score}")
        except SpoofcmError as exc:
            failed.append(name)
            msg = str(exc) if name == path and path in str(exc) else f"{name}: {exc}"
            print(f"spoofcm-score: error: {msg}", file=sys.stderr, flush=True)
            continue
        names.append(name)
        scores.append(score)
        label = "bonafide" if score >= threshold else "spoof"
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
