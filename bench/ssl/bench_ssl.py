"""SSL front-end benchmark: XLS-R 300M architecture (random weights) on CPU.

Measures, each step in its own subprocess so peak RSS (``ru_maxrss``) is per step:
1. seconds per 4 s utterance for layer extraction (after one warm-up utterance);
2. cache size per hour of audio per layer (measured from the float16 ark written by stage 2);
3. one training epoch of the fusion model (``fusion_cbam_resnet18``, full-size config) on a
   fixed subset, reading SSL features from the cache versus running the frozen SSL forward on
   the fly; the ratio is the point (reference and candidate run in the same invocation).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _emit(**kw) -> None:
    print(json.dumps({**kw, "peak_rss_mib": round(_peak_mib(), 1)}), flush=True)


def _waves(n: int, seconds: float) -> list[np.ndarray]:
    rng = np.random.RandomState(0)
    t = np.arange(int(seconds * 16000)) / 16000
    return [(0.1 * np.sin(2 * np.pi * (150 + 20 * i) * t) + 0.05 * rng.randn(len(t))).astype(np.float32)
            for i in range(n)]


def step_extract(a: argparse.Namespace) -> None:
    import torch

    from spoofcm.ssl import extract, load

    t0 = time.perf_counter()
    model = load(a.checkpoint)
    load_s = time.perf_counter() - t0
    waves = _waves(a.utts + 1, a.seconds)
    times = []
    with torch.inference_mode():
        for i, w in enumerate(waves):
            t0 = time.perf_counter()
            feats = extract(model, w, [-1])
            if i:  # the first one is a warm-up
                times.append(time.perf_counter() - t0)
    _emit(step="extract", load_s=round(load_s, 2), sec_per_utt=round(float(np.mean(times)), 3),
          utt_seconds=a.seconds, frames=int(feats.shape[0]), dim=int(feats.shape[1]),
          params_m=round(sum(p.numel() for p in model.parameters()) / 1e6, 1))


def step_cache(a: argparse.Namespace) -> None:
    import torch

    from spoofcm.data.dump import dump_ssl_job
    from spoofcm.features.streams import SSLFeatures
    from spoofcm.ssl import load

    ssl = SSLFeatures(load(a.checkpoint), [-1], torch.device("cpu"))
    t0 = time.perf_counter()
    dump_ssl_job(a.data, a.out, ssl, job=1, nj=1, batch_seconds=a.seconds * 4)
    ark = Path(a.out) / "feats.1.ark"
    hours = a.utts * a.seconds / 3600
    _emit(step="cache", seconds=round(time.perf_counter() - t0, 2), ark_bytes=ark.stat().st_size,
          gb_per_hour_per_layer=round(ark.stat().st_size / hours / 1e9, 3))


def step_epoch(a: argparse.Namespace) -> None:
    import kaldiio
    import torch

    from spoofcm.audio.io import read_audio
    from spoofcm.data.datadir import load_data_dir
    from spoofcm.features.logmel import logmel
    from spoofcm.models.registry import build_model

    torch.manual_seed(0)
    dd = load_data_dir(a.data)
    waves = {u: read_audio(dd.wav[u]) for u in dd.utts}
    mels = {u: logmel(w) for u, w in waves.items()}  # stage 1's cache in both modes
    labels = torch.tensor([i % 2 for i in range(len(dd.utts))])
    cfg = {"model": {"name": "fusion_cbam_resnet18"}, "ssl": {"layers": [-1], "freeze": True, "dim": 1024}}
    backend = build_model(cfg).train()
    opt = torch.optim.Adam(backend.parameters(), lr=1e-4)
    if a.source == "cache":
        feats = kaldiio.load_scp(str(Path(a.out) / "feats.scp"))
        get_ssl = lambda u: torch.from_numpy(feats[u].astype(np.float32))  # noqa: E731
    else:
        from spoofcm.ssl import extract, load

        encoder = load(a.checkpoint)

        def get_ssl(u: str) -> torch.Tensor:
            with torch.inference_mode():
                return extract(encoder, waves[u], [-1]).clone()
    t0 = time.perf_counter()
    for start in range(0, len(dd.utts), a.batch):
        utts = dd.utts[start:start + a.batch]
        batch = {"ssl": torch.stack([get_ssl(u) for u in utts]),
                 "logmel": torch.stack([mels[u] for u in utts])}
        loss = torch.nn.functional.cross_entropy(backend(batch), labels[start:start + len(utts)])
        opt.zero_grad()
        loss.backward()
        opt.step()
    _emit(step=f"epoch_{a.source}", seconds=round(time.perf_counter() - t0, 2), utts=len(dd.utts))


def _run(args: list[str], threads: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    proc = subprocess.run([sys.executable, str(HERE)] + args, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"bench step {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def orchestrate(a: argparse.Namespace) -> None:
    import soundfile as sf

    from spoofcm.data.datadir import write_data_dir

    work = Path(a.workdir)
    ckpt = work / "xlsr_300m_random.pt"
    if not ckpt.is_file():
        subprocess.run(["spoofcm-make-tiny-ssl", "--preset", "xlsr_300m", "--seed", "0",
                        "--out", str(ckpt)], check=True)
    wav = {}
    for i, w in enumerate(_waves(a.epoch_utts, a.seconds)):
        path = work / "wav" / f"u{i:03d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, w, 16000, subtype="FLOAT")
        wav[f"u{i:03d}"] = str(path)
    one = {u: "-" for u in wav}
    data = write_data_dir(work / "data", wav=wav, utt2spk={u: "s" for u in wav},
                          utt2label={u: "bonafide" for u in wav}, utt2attack=one, utt2cond=one).path
    out = work / "cache"
    common = ["--checkpoint", str(ckpt), "--seconds", str(a.seconds), "--data", str(data),
              "--out", str(out), "--batch", str(a.batch)]
    res = [_run(["extract", "--utts", str(a.utts)] + common, a.threads)]
    res.append(_run(["cache", "--utts", str(a.epoch_utts)] + common, a.threads))
    (out / "feats.scp").write_text((out / "feats.1.scp").read_text())
    res.append(_run(["epoch", "--source", "cache"] + common, a.threads))
    res.append(_run(["epoch", "--source", "onthefly"] + common, a.threads))
    for r in res:
        print(json.dumps(r))
    ext, cache, e_cache, e_fly = res
    theory = 50 * 3600 * 1024 * 2 / 1e9
    print(f"\nXLS-R 300M ({ext['params_m']} M params), {a.threads} thread(s), random weights")
    print(f"extraction: {ext['sec_per_utt']} s per {a.seconds:g} s utterance "
          f"(real-time factor {ext['sec_per_utt'] / a.seconds:.2f}); load {ext['load_s']} s; "
          f"peak RSS {ext['peak_rss_mib']:.0f} MiB")
    print(f"cache: {cache['gb_per_hour_per_layer']} GB per hour of audio per layer "
          f"(float16; theory 50 fps x 1024 x 2 B = {theory:.3f} GB/h); peak RSS {cache['peak_rss_mib']:.0f} MiB")
    print(f"fusion_cbam_resnet18 epoch on {a.epoch_utts} x {a.seconds:g} s: from cache "
          f"{e_cache['seconds']} s (peak {e_cache['peak_rss_mib']:.0f} MiB), on the fly "
          f"{e_fly['seconds']} s (peak {e_fly['peak_rss_mib']:.0f} MiB): "
          f"{e_fly['seconds'] / e_cache['seconds']:.1f}x faster from cache")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("step", choices=["all", "extract", "cache", "epoch"])
    p.add_argument("--workdir", default="/tmp/spoofcm_bench_ssl")
    p.add_argument("--checkpoint")
    p.add_argument("--data")
    p.add_argument("--out")
    p.add_argument("--source", choices=["cache", "onthefly"])
    p.add_argument("--utts", type=int, default=3, help="utterances timed for extraction")
    p.add_argument("--epoch-utts", type=int, default=16, help="utterances in the epoch subset")
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    if a.step == "all":
        Path(a.workdir).mkdir(parents=True, exist_ok=True)
        orchestrate(a)
    else:
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        {"extract": step_extract, "cache": step_cache, "epoch": step_epoch}[a.step](a)


if __name__ == "__main__":
    main()
