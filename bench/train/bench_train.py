"""Training and scoring speed of the proposed system (issue 5, item 6).

``train``: throughput (utterances/s) and peak memory of fusion_cbam_resnet18 training steps
(forward, backward, Adam) from cached features read through the real StreamDataset (random
float16 SSL arrays of width D written to a kaldiio cache, random log-mel), against the same
batches only loaded (the reference, measured in the same process).
``gpu``: the same step loop on CUDA in bf16 for the full-size model, frozen-from-cache (random
SSL arrays) or fine-tuned (XLS-R 300M architecture inside the model, raw waveforms in).
``score``: real-time factor of spoofcm-score's path with a full XLS-R 300M architecture (random
init) on CPU, against the SSL forward pass alone. Every mode prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

SIZES = {  # model widths; ssl_dim is the per-layer SSL width of the cache
    "full": {"d_model": 128, "n_heads": 4, "ffn_dim": 256, "resnet_width": 64, "ssl_dim": 1024},
    "mini": {"d_model": 128, "n_heads": 4, "ffn_dim": 256, "resnet_width": 16, "ssl_dim": 64,
             "attn_dropout": 0.0},  # egs/mini/conf/model/fusion_cbam_resnet18.yaml
}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def config(size: str, seconds: float, batch: int, ssl: dict | None = None) -> dict:
    s = dict(SIZES[size])
    dim = s.pop("ssl_dim")
    return {"model": {"name": "fusion_cbam_resnet18", **s},
            "ssl": ssl or {"checkpoint": "", "layers": [-1], "freeze": True, "cache": True,
                           "dim": dim},
            "train": {"seed": 0, "lr": 1e-6, "weight_decay": 1e-4, "batch_size": batch,
                      "crop_seconds": seconds}}


def write_cache(root: Path, n: int, seconds: float, dim: int) -> None:
    """data/train + dump/{logmel,ssl/bench}/train with random features of n utterances."""
    import kaldiio
    from spoofcm.data.datadir import write_data_dir
    utts = [f"u{i:04d}" for i in range(n)]
    samples = int(seconds * 16000) + 400
    write_data_dir(root / "data" / "train", wav={u: f"/nonexistent/{u}.flac" for u in utts},
                   utt2spk={u: "s" for u in utts},
                   utt2label={u: ("bonafide", "spoof")[i % 2] for i, u in enumerate(utts)},
                   utt2attack={u: "-" for u in utts}, utt2cond={u: "-" for u in utts})
    lm, ss = root / "dump/logmel/train", root / "dump/ssl/bench/train"
    lm.mkdir(parents=True), ss.mkdir(parents=True)
    rng = np.random.default_rng(0)
    t_l, t_s = 1 + (samples - 400) // 160, 1 + (samples - 400) // 320
    with kaldiio.WriteHelper(f"ark,scp:{lm}/feats.ark,{lm}/feats.scp") as w, \
            open(ss / "feats.ark", "wb") as ark, open(ss / "feats.scp", "w") as scp:
        for u in utts:
            w(u, rng.standard_normal((t_l, 128)).astype(np.float32))
            kaldiio.save_ark(ark, {u: rng.standard_normal((t_s, dim)).astype(np.float16)},
                             scp=scp, write_function="numpy")
    (ss / "layers").write_text("-1\n")
    (ss / "dim").write_text(f"{dim}\n")


def bench_train(args: argparse.Namespace) -> dict:
    from spoofcm.data.dataset import StreamDataset, collate
    from spoofcm.train.optim import build_optimizer
    from spoofcm.models.registry import build_model as make_model
    torch.set_num_threads(args.threads)
    cfg = config(args.size, args.seconds, args.batch)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n = args.batch * (args.steps + args.warmup)
        write_cache(root, n, args.seconds, cfg["ssl"]["dim"])
        ds = StreamDataset(root / "data/train", root / "dump", "train", ("ssl", "logmel"), cfg)
        loader = torch.utils.data.DataLoader(ds, batch_size=args.batch, collate_fn=collate)
        t0 = time.perf_counter()
        batches = list(loader)  # the reference: reading and cropping alone
        load_s = time.perf_counter() - t0
        rss_data = peak_rss_mib()
        torch.manual_seed(0)
        model = make_model(cfg)
        opt = build_optimizer(model, cfg["train"])
        model.train()
        for i, (streams, labels, _) in enumerate(batches):
            if i == args.warmup:
                t0 = time.perf_counter()
            loss = torch.nn.functional.cross_entropy(model(streams), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        step_s = time.perf_counter() - t0
    timed = args.batch * args.steps
    return {"bench": "train_cpu", "size": args.size, "batch": args.batch,
            "crop_seconds": args.seconds, "threads": args.threads,
            "params": sum(p.numel() for p in model.parameters()),
            "train_utt_per_s": round(timed / step_s, 3),
            "load_only_utt_per_s": round(n / load_s, 1),
            "ratio_train_to_load_time": round((step_s / timed) / (load_s / n), 1),
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "peak_rss_after_data_mib": round(rss_data, 1)}


def bench_score(args: argparse.Namespace) -> dict:
    import soundfile as sf
    from spoofcm.infer.scoring import score_one
    from spoofcm.features.streams import load_ssl_features
    from spoofcm.models.registry import build_model as make_model
    from spoofcm.ssl import extract
    from spoofcm.ssl.fairseq_write import write_random_checkpoint
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = Path(tmp) / "xlsr_300m.pt"
        write_random_checkpoint(ckpt, args.preset, 0)
        cfg = config("full", args.seconds, 1, {"checkpoint": str(ckpt), "layers": [-1],
                                                "freeze": True, "cache": True})
        make = load_ssl_features(cfg, torch.device("cpu"))
        cfg["ssl"]["dim"] = make.dim
        model = make_model(cfg).eval()
        rng = np.random.default_rng(0)
        waves = []
        for i in range(args.files):
            path = Path(tmp) / f"f{i}.flac"
            sf.write(path, (0.1 * rng.standard_normal(int(args.seconds * 16000))).astype(np.float32), 16000)
            from spoofcm.audio.io import read_audio
            waves.append(read_audio(path))
        score_one(model, make, waves[0], "f0", torch.device("cpu"), None)  # warm-up
        t0 = time.perf_counter()
        for w in waves:
            score_one(model, make, w, "f", torch.device("cpu"), None)
        total = time.perf_counter() - t0
        t0 = time.perf_counter()
        with torch.inference_mode():
            for w in waves:
                extract(make.encoder, torch.from_numpy(w), [-1])
        ssl_only = time.perf_counter() - t0
    audio = args.files * args.seconds
    return {"bench": "score_cpu", "ssl_preset": args.preset, "files": args.files,
            "seconds_per_file": args.seconds, "threads": args.threads,
            "rtf": round(total / audio, 4), "rtf_ssl_only": round(ssl_only / audio, 4),
            "ratio_total_to_ssl": round(total / ssl_only, 3),
            "peak_rss_mib": round(peak_rss_mib(), 1)}


def bench_gpu(args: argparse.Namespace) -> dict:
    from spoofcm.infer.scoring import autocast
    from spoofcm.train.optim import build_optimizer
    from spoofcm.models.registry import build_model as make_model
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("bench_train.py gpu: CUDA is not available")
    frames = int(args.seconds * 50)
    if args.variant == "finetune":
        from spoofcm.ssl.fairseq_write import write_random_checkpoint
        tmp = tempfile.mkdtemp()
        ckpt = Path(tmp) / f"{args.preset}.pt"
        write_random_checkpoint(ckpt, args.preset, 0)
        cfg = config(args.size, args.seconds, args.batch, {"checkpoint": str(ckpt), "layers": [-1],
                                                           "freeze": False, "cache": False})
        cfg["model"]["ssl_dim"] = "auto"
        cfg["ssl"].pop("dim", None)
    else:
        cfg = config(args.size, args.seconds, args.batch)
    torch.manual_seed(0)
    model = make_model(cfg).to(dev)
    lr_groups = {"ssl": 1e-6, "backend": 1e-4} if args.variant == "finetune" else None
    opt = build_optimizer(model, {**cfg["train"], "lr_groups": lr_groups})
    if args.compile and dev.type == "cuda":
        model = torch.compile(model)
    model.train()
    g = torch.Generator(device="cpu").manual_seed(0)
    if args.variant == "finetune":
        batch = {"wav": 0.1 * torch.randn(args.batch, frames * 320, generator=g)}
    else:
        dim = cfg["ssl"]["dim"]
        batch = {"ssl": torch.randn(args.batch, frames, dim, generator=g).half().float()}
    batch["logmel"] = torch.randn(args.batch, 2 * frames, 128, generator=g)
    batch = {k: v.to(dev) for k, v in batch.items()}
    labels = (torch.arange(args.batch) % 2).to(dev)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for i in range(args.warmup + args.steps):
        if i == args.warmup:
            sync()
            if dev.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
        with autocast(dev, args.amp == "bf16"):
            logits = model(batch)
        loss = torch.nn.functional.cross_entropy(logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    sync()
    dt = time.perf_counter() - t0
    peak = torch.cuda.max_memory_allocated() / 2**30 if dev.type == "cuda" else peak_rss_mib() / 1024
    return {"bench": "train_gpu", "variant": args.variant, "size": args.size, "device": str(dev),
            "gpu": torch.cuda.get_device_name() if dev.type == "cuda" else None,
            "amp": args.amp, "compile": bool(args.compile), "batch": args.batch,
            "crop_seconds": args.seconds, "steps": args.steps,
            "params": sum(p.numel() for p in model.parameters()),
            "steps_per_s": round(args.steps / dt, 3),
            "utt_per_s": round(args.steps * args.batch / dt, 2),
            "peak_mem_gib": round(peak, 3), "final_loss": round(float(loss.detach()), 4)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("train")
    t.add_argument("--size", choices=SIZES, default="full")
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--steps", type=int, default=3)
    t.add_argument("--warmup", type=int, default=1)
    t.add_argument("--seconds", type=float, default=4.0)
    t.add_argument("--threads", type=int, default=1)
    s = sub.add_parser("score")
    s.add_argument("--files", type=int, default=2)
    s.add_argument("--seconds", type=float, default=4.0)
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--preset", default="xlsr_300m")
    g = sub.add_parser("gpu")
    g.add_argument("--variant", choices=("frozen", "finetune"), default="frozen")
    g.add_argument("--size", choices=SIZES, default="full")
    g.add_argument("--preset", default="xlsr_300m")
    g.add_argument("--device", default="cuda")
    g.add_argument("--batch", type=int, default=14)
    g.add_argument("--steps", type=int, default=20)
    g.add_argument("--warmup", type=int, default=3)
    g.add_argument("--seconds", type=float, default=4.0)
    g.add_argument("--amp", choices=("bf16", "none"), default="bf16")
    g.add_argument("--compile", action="store_true")
    args = p.parse_args(argv)
    result = {"train": bench_train, "score": bench_score, "gpu": bench_gpu}[args.mode](args)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
