"""Scoring throughput: XLS-R 300M (random init) + log-mel feeding fusion_cbam_resnet18.

The eval-set path without a feature cache: utterances of realistic lengths are batched by
length (spoofcm.ssl.cache.plan_batches, padded size <= --max-batch-seconds of audio), and per
batch the GPU computes the log-mel, the SSL layer (with an attention mask for the padding),
rounds it to float16 as the cache would, and runs the full-size fusion model. Reports eval
utterances per second, audio seconds per second and peak GPU memory, for bf16 (SSL weights and
back-end autocast in bfloat16) and fp32. Lengths: log-normal, median 3 s (the ASVspoof 2019/2021
utterances average about 3.3 s), clipped to [1, 12] s, or the utt2num_samples of --data.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MODEL = {"name": "fusion_cbam_resnet18", "d_model": 128, "n_heads": 4, "ffn_dim": 256,
         "resnet_width": 64}    # conf/model/fusion_cbam_resnet18.yaml sizes, as bench/train


def lengths_of(args: argparse.Namespace) -> list[int]:
    if args.data:
        vals = [int(ln.split()[1]) for ln in (Path(args.data) / "utt2num_samples").read_text().splitlines()]
        return vals[:args.utts]
    rng = np.random.default_rng(0)
    sec = np.clip(rng.lognormal(np.log(3.0), 0.35, args.utts), 1.0, 12.0)
    return [int(s * 16000) for s in sec]


def run(args: argparse.Namespace, dtype_name: str, ckpt: str, lengths: list[int]) -> dict:
    import torch

    from spoofcm.features.logmel import logmel
    from spoofcm.ssl import extract, load
    from spoofcm.features.streams import plan_batches
    from spoofcm.models.registry import build_model as make_model

    dev = torch.device(args.device)
    bf16 = dtype_name == "bf16"
    ssl = load(ckpt).to(dev, torch.bfloat16 if bf16 else torch.float32).eval()
    dim = ssl.config.hidden_size
    model = make_model({"model": dict(MODEL), "ssl": {"checkpoint": "", "layers": [-1],
                                                      "cache": True, "dim": dim}}).to(dev).eval()
    amp = torch.autocast(device_type=dev.type, dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    batches = plan_batches(lengths, int(args.max_batch_seconds * 16000))
    gen = torch.Generator(device="cpu").manual_seed(0)
    waves = [0.1 * torch.randn(n, generator=gen) for n in lengths]
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def score(batch: list[int]) -> torch.Tensor:
        lens = torch.tensor([lengths[i] for i in batch])
        x = torch.zeros(len(batch), int(lens.max()))
        for row, i in enumerate(batch):
            x[row, :lengths[i]] = waves[i]
        x = x.to(dev, non_blocking=True)
        with torch.inference_mode():
            lm = logmel(x)
            feats = extract(ssl, x, [-1], lengths=lens).half().float()   # the cache's rounding
            t = min(feats.shape[1], (lm.shape[1] + 1) // 2)
            lm = torch.cat([lm, lm[:, -1:]], dim=1)[:, :2 * t]
            with amp:
                logits = model({"ssl": feats[:, :t], "logmel": lm})
        return logits.float()

    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    for b in batches[:args.warmup]:
        score(b)
    sync()
    timed = batches[args.warmup:] or batches
    t0 = time.perf_counter()
    finite = True
    for b in timed:
        finite &= bool(torch.isfinite(score(b)).all())
    sync()
    dt = time.perf_counter() - t0
    n = sum(len(b) for b in timed)
    audio = sum(lengths[i] for b in timed for i in b) / 16000
    out = {"bench": "gpu_score", "dtype": dtype_name, "device": str(dev), "ssl_preset": args.preset,
           "ssl_dim": dim, "utts": n, "batches": len(timed), "max_batch_seconds": args.max_batch_seconds,
           "mean_utt_seconds": round(audio / n, 2), "utts_per_s": round(n / dt, 1),
           "audio_seconds_per_s": round(audio / dt, 1), "finite": finite, "torch": torch.__version__}
    if dev.type == "cuda":
        out["gpu"] = torch.cuda.get_device_name(0)
        out["peak_mem_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda", help="cuda (default) or cpu (a functional check only)")
    p.add_argument("--preset", default="xlsr_300m", help="SSL architecture (spoofcm.ssl.presets)")
    p.add_argument("--utts", type=int, default=2000, help="utterances per dtype (default 2000)")
    p.add_argument("--max-batch-seconds", type=float, default=160.0,
                   help="padded audio per batch, seconds (default 160)")
    p.add_argument("--warmup", type=int, default=3, help="untimed first batches")
    p.add_argument("--dtypes", default="bf16,fp32")
    p.add_argument("--data", help="a data dir whose utt2num_samples gives the lengths")
    args = p.parse_args()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_score.py: error: no CUDA device visible (torch.cuda.is_available() is False); "
              "this benchmark needs one GPU (--device cpu runs a functional check)", file=sys.stderr)
        return 2
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    lengths = lengths_of(args)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = str(Path(tmp) / f"{args.preset}_random.pt")
        write_random_checkpoint(ckpt, args.preset, seed=0)
        for name in args.dtypes.split(","):
            print(json.dumps(run(args, name, ckpt, lengths)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
