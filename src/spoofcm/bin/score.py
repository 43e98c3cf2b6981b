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
    """Score threshold (bona fide iff score ≥ it) and where it came from; a stored decision
    that cannot be used is reported in one warning line (spoofcm.decisions)."""
    from spoofcm.decisions import decision_threshold as stored_decision
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


class StreamMaker:
    """Computes the model's input streams from a waveform, as stages 1–2 would have."""

    def __init__(self, inputs: tuple[str, ...], cfg: dict[str, Any], device: Any, trust: bool):
        self.inputs, self.cfg, self.device = inputs, cfg, device
        self.ssl = None
        if "ssl" in inputs:
            from spoofcm.exp_ssl import missing_ssl_error
            from spoofcm.ssl import load
            ssl_cfg = cfg.get("ssl") or {}
            self.layers = ssl_cfg.get("layers", [-1])
            try:
                self.ssl = load(str(ssl_cfg.get("checkpoint") or ""), trust).to(device)
            except SpoofcmError as exc:
                raise missing_ssl_error(exc) from None

    def __call__(self, wave: np.ndarray) -> dict[str, np.ndarray]:
        import torch
        out: dict[str, np.ndarray] = {}
        if "wav" in self.inputs:
            out["wav"] = np.asarray(wave, dtype=np.float32)
        if "logmel" in self.inputs:
            from spoofcm.features.logmel import logmel
            out["logmel"] = logmel(wave).numpy()
        if self.ssl is not None:
            from spoofcm.ssl import extract
            with torch.inference_mode():
                feats = extract(self.ssl, torch.from_numpy(wave).to(self.device), self.layers)
            out["ssl"] = feats.float().cpu().numpy().astype(np.float16).astype(np.float32)
        return out


def score_one(model: Any, make: StreamMaker | None, wave: np.ndarray, device: Any,
              window_units: int | None, max_units: int | None = None, crop: int = 200,
              name: str = "") -> float:
    """Score one waveform; long ones in overlapping crops, in bounded memory (infer_long)."""
    from spoofcm.infer_long import check_length, mean_logits, stream_parts, wave_parts
    from spoofcm.train.evaluate import logits_to_scores
    check_length(wave, name)
    if make is None:
        return float(model.score_wave(wave))

    def parts():
        for piece in wave_parts(wave, max_units, window_units or crop):
            yield from stream_parts(make(piece), window_units, None, crop)
    return float(logits_to_scores(mean_logits(model, parts(), device, name=name))[0])


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    items = read_inputs(args)
    threshold, source = decision_threshold(args.exp)
    import torch

    from spoofcm.audio.io import read_audio
    from spoofcm.data.dataset import crop_units
    from spoofcm.train.checkpoint import load_exp_model
    from spoofcm.train.evaluate import write_scores

    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device("cuda" if use_cuda else "cpu")
    model, cfg = load_exp_model(args.exp, args.checkpoint, args.trust_checkpoint, device,
                                ssl_checkpoint=args.ssl_checkpoint)
    neural = getattr(model, "is_neural", True) is not False
    make = StreamMaker(tuple(model.inputs), cfg, device, args.trust_checkpoint) if neural else None
    units = crop_units(args.window_seconds) if args.window_seconds else None
    crop = crop_units(float((cfg.get("train") or {}).get("crop_seconds", 4.0)))
    max_units = crop_units(args.max_seconds)
    print(f"# threshold {threshold:.6f} ({source}); score = log-odds, higher = bona fide",
          file=sys.stderr)
    names, scores, failed = [], [], []
    for name, path in items:
        try:
            score = score_one(model, make, read_audio(path), device, units, max_units, crop, path)
            if not math.isfinite(score):
                raise SpoofcmError(f"{path}: score is {score}")
        except (SpoofcmError, RuntimeError) as exc:  # one file's problem; the others go on
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
