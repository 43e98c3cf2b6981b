"""GPU check: XLS-R 300M architecture (random weights, fairseq layout) extracting in bf16.

Reports utterances per second and peak GPU memory (torch.cuda.max_memory_allocated) for
batches of fixed-length utterances, after warm-up. Fails at once when no CUDA device exists.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--checkpoint", help="fairseq .pt or HF folder (default: write a random XLS-R 300M)")
    p.add_argument("--seconds", type=float, default=4.0, help="utterance length (default 4)")
    p.add_argument("--batch", type=int, default=16, help="utterances per batch (default 16)")
    p.add_argument("--batches", type=int, default=30, help="timed batches (default 30)")
    p.add_argument("--layers", default="-1")
    a = p.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("gpu_ssl: error: no CUDA device visible (torch.cuda.is_available() is False); "
              "this benchmark needs one GPU", file=sys.stderr)
        return 2
    from spoofcm.ssl import extract, load, parse_layers
    from spoofcm.ssl.fairseq_write import write_random_checkpoint

    tmp = tempfile.TemporaryDirectory()
    ckpt = a.checkpoint
    if not ckpt:
        ckpt = str(Path(tmp.name) / "xlsr_300m_random.pt")
        t0 = time.perf_counter()
        write_random_checkpoint(ckpt, "xlsr_300m", seed=0)
        print(f"wrote random XLS-R 300M checkpoint in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    t0 = time.perf_counter()
    model = load(ckpt).to("cuda", torch.bfloat16)
    load_s = time.perf_counter() - t0
    layers = parse_layers(a.layers)
    n = int(a.seconds * 16000)
    gen = torch.Generator(device="cuda").manual_seed(0)
    waves = 0.1 * torch.randn(a.batch, n, device="cuda", generator=gen)
    torch.cuda.reset_peak_memory_stats()
    with torch.inference_mode():
        for _ in range(3):  # warm-up (kernels, allocator)
            feats = extract(model, waves, layers)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(a.batches):
            feats = extract(model, waves, layers)
        torch.cuda.synchronize()
        dt = time.perf_counter() - t0
    utts = a.batch * a.batches
    result = {
        "device": torch.cuda.get_device_name(0), "dtype": "bfloat16", "batch": a.batch,
        "utt_seconds": a.seconds, "utts": utts, "utts_per_s": round(utts / dt, 1),
        "audio_seconds_per_s": round(utts * a.seconds / dt, 1), "load_s": round(load_s, 1),
        "feats_shape": list(feats.shape), "finite": bool(torch.isfinite(feats).all()),
        "peak_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
        "torch": torch.__version__,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
