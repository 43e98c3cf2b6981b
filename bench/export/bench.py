"""Real-time factor of exported detectors against the PyTorch model, side by side on CPU.

For each model (``--exp`` experiments, or mini-size models with random weights and the tiny
SSL checkpoint when none is given) and each format, the same audio is scored through the same
windows by (a) the eager PyTorch detector and (b) the exported file (TorchScript in torch, ONNX
in onnxruntime), alternating, best of ``--repeats``. RTF = compute seconds / audio seconds;
``speedup`` = RTF(PyTorch) / RTF(exported), measured in the same run. One JSON line each.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # the test helpers package (helpers.exphelp)


def best_time(fn, waves, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for w in waves:
            fn(w)
        best = min(best, time.perf_counter() - t0)
    return best


def bench_exp(exp: Path, fmt: str, waves: list[np.ndarray], work: Path, repeats: int) -> dict:
    from spoofcm.export.detector import build_detector
    from spoofcm.export.exporter import export_experiment
    from spoofcm.export.runtime import ExportedModel, WindowScorer, torch_batch_fn
    out = work / f"{exp.name}.{'onnx' if fmt == 'onnx' else 'pt'}"
    export_experiment(exp, fmt, out)
    det, _ = build_detector(exp)
    eager = WindowScorer(torch_batch_fn(det), det.window)
    exported = ExportedModel(out)
    eager.score(waves[0]), exported.score(waves[0])  # warm-up (allocations, graph optimisation)
    audio = sum(len(w) for w in waves) / 16000
    t_eager = best_time(eager.score, waves, repeats)
    t_exp = best_time(exported.score, waves, repeats)
    diff = max(abs(eager.score(w) - exported.score(w)) for w in waves)
    return {"model": exp.name, "format": fmt, "window_s": det.window / 16000,
            "audio_s": audio, "threads": torch.get_num_threads(),
            "rtf_pytorch": t_eager / audio, "rtf_exported": t_exp / audio,
            "speedup": t_eager / t_exp, "max_abs_score_diff": diff,
            "file_mib": out.stat().st_size / 2**20}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--exp", nargs="*", type=Path, default=[], help="trained experiments")
    p.add_argument("--models", nargs="*", default=["fusion_cbam_resnet18", "rawnet2", "lfcc_lcnn"],
                   help="mini models with random weights (when no --exp)")
    p.add_argument("--formats", nargs="*", default=["torchscript", "onnx"])
    p.add_argument("--files", type=int, default=3)
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "export" / "results.jsonl")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    from helpers import exphelp
    waves = [exphelp.speech_like(args.seconds, seed=i) for i in range(args.files)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, open(args.out, "w") as log:
        work = Path(tmp)
        exps = list(args.exp) or [exphelp.make_exp(work / m, m, work / "tiny_ssl.pt",
                                                   crop_seconds=4.0) for m in args.models]
        for exp in exps:
            for fmt in args.formats:
                line = json.dumps(bench_exp(exp, fmt, waves, work, args.repeats))
                print(line, flush=True)
                log.write(line + "\n")


if __name__ == "__main__":
    main()
