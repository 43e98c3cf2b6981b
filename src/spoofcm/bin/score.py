"""Score your own audio files with a trained model: ``spoofcm-score --exp exp/<tag> a.flac b.wav``
or ``--wav-scp wav.scp``. Prints ``<utt-or-path> <score> <bonafide|spoof>`` per file.

Any sample rate or channel count is read (resampled to 16 kHz, mixed to mono, with a warning).
The features the model needs are computed on the fly (log-mel; SSL layers from the checkpoint
named in the experiment's config, rounded to float16 as the training cache was). The decision
uses the threshold stored with the model: the calibrated one from ``calibration.json`` when
stage 5 wrote it, else the dev EER threshold of ``threshold.json``; an experiment with neither
(an imported release) prints ``<utt-or-path> <score>`` and a note. The scoring rule (full
utterance, windows, the AASIST official crop) is the experiment's ``infer.mode`` unless
``--mode``/``--window-seconds`` say otherwise (see spoofcm.infer_modes). A file that cannot be read
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
from spoofcm.infer_modes import InferMode, resolve_mode, score_streams


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-score", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--exp", required=True, type=Path, help="exp/<tag> of a trained model")
    p.add_argument("files", nargs="*", help="audio files (any format soundfile reads)")
    p.add_argument("--wav-scp", type=Path, help="Kaldi wav.scp (utt path) instead of files")
    p.add_argument("--out", type=Path, help="also write a score file (utt score)")
    add_scoring_options(p, "file")
    return p


def decision_threshold(exp: Path) -> tuple[float | None, str]:
    """Score threshold (bona fide iff score ≥ it) and where it came from; None when the
    experiment has none (an imported model before calibration)."""
    cal = exp / "calibration.json"
    if cal.is_file():
        from spoofcm.metrics.calibration import Calibration, DcfModel
        c = Calibration.load(cal)
        if not c.a > 0:
            raise SpoofcmError(f"{cal}: calibration slope a={c.a} is not positive")
        return (DcfModel().bayes_threshold - c.b) / c.a, "calibrated (Bayes threshold on LLR)"
    path = exp / "threshold.json"
    if not path.exists() and (exp / "best.pt").is_file():
        return None, (f"no decision threshold in {exp} (no threshold.json or calibration.json): "
                      f"raw scores only; calibrate with spoofcm-eval --dev-scores S --dev-data D "
                      f"--calibration {exp}/calibration.json")
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


class StreamMaker:
    """Computes the model's input streams from a waveform, as stages 1–2 would have."""

    def __init__(self, inputs: tuple[str, ...], cfg: dict[str, Any], device: Any, trust: bool):
        self.inputs, self.cfg, self.device = inputs, cfg, device
        self.ssl = None
        if "ssl" in inputs:
            from spoofcm.ssl import load
            ssl_cfg = cfg.get("ssl") or {}
            self.layers = ssl_cfg.get("layers", [-1])
            self.ssl = load(str(ssl_cfg.get("checkpoint") or ""), trust).to(device)

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
              mode: InferMode) -> float:
    if make is None:
        return float(model.score_wave(wave))
    return score_streams(model, make(wave), device, mode)


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    items = read_inputs(args)
    threshold, source = decision_threshold(args.exp)
    import torch

    from spoofcm.audio.io import read_audio
    from spoofcm.train.checkpoint import load_exp_model
    from spoofcm.train.evaluate import write_scores

    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device("cuda" if use_cuda else "cpu")
    model, cfg = load_exp_model(args.exp, args.checkpoint, args.trust_checkpoint, device)
    neural = getattr(model, "is_neural", True) is not False
    make = StreamMaker(tuple(model.inputs), cfg, device, args.trust_checkpoint) if neural else None
    mode = resolve_mode(cfg, args.mode, args.window_seconds)
    print(f"# threshold {threshold:.6f} ({source})" if threshold is not None else f"# {source}",
          file=sys.stderr)
    print(f"# {mode.describe()}", file=sys.stderr)
    names, scores, failed = [], [], []
    for name, path in items:
        try:
            score = score_one(model, make, read_audio(path), device, mode)
            if not math.isfinite(score):
                raise SpoofcmError(f"{path}: score is {score}")
        except SpoofcmError as exc:
            failed.append(name)
            msg = str(exc) if name == path and path in str(exc) else f"{name}: {exc}"
            print(f"spoofcm-score: error: {msg}", file=sys.stderr, flush=True)
            continue
        names.append(name)
        scores.append(score)
        if threshold is None:
            print(f"{name} {score:.6f}", flush=True)
        else:
            print(f"{name} {score:.6f} {'bonafide' if score >= threshold else 'spoof'}", flush=True)
    if args.out:
        write_scores(args.out, names, scores)
    if failed:
        print(f"spoofcm-score: {len(failed)} of {len(items)} files failed: {' '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
