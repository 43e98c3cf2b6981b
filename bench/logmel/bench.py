"""Stage-1 log-mel throughput against the bare stft + mel-matmul floor (see run.sh).

The audio is synthetic but speech-like (voiced harmonics with a moving f0 through formant
resonators, noisy fricative bursts, syllable-rate envelope, pauses), 2–6 s utterances like
ASVspoof's, written as 16-bit FLAC so decode cost is realistic. Times are CPU seconds of
this process (``time.process_time``; one torch/OpenMP thread), the best of ``--repeats``
interleaved runs, so other load on a shared machine hardly moves them; × real time per core =
audio seconds / CPU seconds. Wall-clock figures are printed too.
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from scipy.signal import lfilter

from spoofcm.audio.io import read_audio
from spoofcm.data.dump import dump_logmel_job as dump_job
from spoofcm.data.datadir import write_data_dir
from spoofcm.features.logmel import frame_sizes, logmel, mel_filterbank

SR = 16000


def speechlike(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """One utterance: glottal pulse train with drifting f0 through three formants, plus noise."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    f0 = 120 + 40 * np.sin(2 * np.pi * rng.uniform(0.2, 0.6) * t) + rng.uniform(-20, 60)
    phase = np.cumsum(f0 / SR)
    source = (np.diff(np.floor(phase), prepend=0) > 0).astype(np.float64)
    source += 0.02 * rng.standard_normal(n)
    voiced = source
    for formant, bw in ((rng.uniform(500, 800), 80), (rng.uniform(1100, 1800), 120),
                        (rng.uniform(2300, 3000), 160)):
        r = np.exp(-np.pi * bw / SR)
        voiced = lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * formant / SR), r * r], voiced)
    fricative = lfilter([1, -0.9], [1], rng.standard_normal(n)) * 0.05
    syllables = np.clip(np.sin(2 * np.pi * rng.uniform(3, 5) * t), 0, None) ** 0.7
    gate = (np.sin(2 * np.pi * 0.35 * t + rng.uniform(0, 6)) > -0.6).astype(np.float64)
    x = (voiced * syllables + fricative * (1 - syllables) * (rng.random() < 0.8)) * gate
    x += 1e-3 * rng.standard_normal(n)
    return (0.3 * x / np.abs(x).max()).astype(np.float32)


def make_corpus(workdir: Path, minutes: float, seed: int = 0) -> tuple[Path, float]:
    """FLAC files + a data dir; returns (data dir, total seconds)."""
    rng = np.random.default_rng(seed)
    flac = workdir / "flac"
    flac.mkdir(parents=True, exist_ok=True)
    wav, total, i = {}, 0.0, 0
    while total < minutes * 60:
        seconds = float(rng.uniform(2.0, 6.0))
        path = flac / f"bench_{i:04d}.flac"
        sf.write(str(path), speechlike(seconds, rng), SR, subtype="PCM_16")
        wav[f"bench_{i:04d}"] = str(path.resolve())
        total += sf.info(str(path)).duration
        i += 1
    utts = list(wav)
    lengths = {u: sf.info(wav[u]).frames for u in utts}
    data = write_data_dir(workdir / "data", wav=wav, utt2spk={u: "spk" for u in utts},
                          utt2label={u: "bonafide" for u in utts},
                          utt2attack={u: "-" for u in utts}, utt2cond={u: "-" for u in utts},
                          utt2num_samples=lengths)
    return data.path, total


def time_full(data: Path, out: Path) -> float:
    """The whole stage-1 job: data dir load, FLAC decode, log-mel, ark/scp write, marker."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.process_time()
    dump_job(data, out, 1, 1, progress=False)
    return time.process_time() - start


def time_floor(waves: list[torch.Tensor]) -> float:
    """Bare floor: torch.stft (center=False) + |X|^2 + dense mel matmul, matrices prebuilt.

    |X|^2 is taken as re^2 + im^2, the cheapest form, the same one logmel() uses.
    """
    win, hop, n_fft = frame_sizes(SR)
    window = torch.zeros(n_fft)
    window[:win] = torch.hann_window(win)
    fbank = torch.from_numpy(mel_filterbank(SR, n_fft)).float()
    start = time.process_time()
    for x in waves:
        spec = torch.stft(x, n_fft, hop, n_fft, window, center=False, return_complex=True)
        torch.matmul((spec.real.square() + spec.imag.square()).T, fbank)
    return time.process_time() - start


def time_part(fn, items) -> float:
    start = time.process_time()
    for item in items:
        fn(item)
    return time.process_time() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--workdir", default="bench/out/logmel")
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(1)
    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    data, seconds = make_corpus(workdir, args.minutes)
    paths = sorted((workdir / "flac").glob("*.flac"))
    waves = [torch.from_numpy(read_audio(f)) for f in paths]
    logmel(waves[0])  # warm caches (mel matrix, FFT plans) for both sides alike
    time_floor(waves[:2])
    runs: dict[str, list[float]] = {"full": [], "floor": [], "decode": [], "logmel": []}
    wall: list[float] = []
    for _ in range(args.repeats):  # interleaved, so load changes hit every row alike
        start = time.perf_counter()
        runs["full"].append(time_full(data, workdir / "dump"))
        wall.append(time.perf_counter() - start)
        runs["floor"].append(time_floor(waves))
        runs["decode"].append(time_part(read_audio, paths))
        runs["logmel"].append(time_part(logmel, waves))
    best = {k: min(v) for k, v in runs.items()}
    rows = [("(a) stage 1: FLAC decode + logmel + ark write", "full"),
            ("    of which FLAC decode (read_audio)", "decode"),
            ("    of which logmel() on in-memory audio", "logmel"),
            ("(b) floor: torch.stft + |X|^2 + mel matmul", "floor")]
    print(f"audio: {len(paths)} utterances, {seconds:.1f} s; 1 thread; CPU time, best of "
          f"{args.repeats}")
    print(f"{'path':<48} {'CPU s':>8} {'x RT/core':>10}")
    for name, key in rows:
        print(f"{name:<48} {best[key]:>8.3f} {seconds / best[key]:>10.0f}")
    print(f"(a) wall clock, best of {args.repeats}: {min(wall):.3f} s = "
          f"{seconds / min(wall):.0f} x RT")
    ratio = best["full"] / best["floor"]
    print(f"ratio (a)/(b): {ratio:.2f}  (target <= 1.5);  (a) x RT/core: "
          f"{seconds / best['full']:.0f}  (target >= 1000)")
    print(f"ratio ((a) - FLAC decode)/(b): {(best['full'] - best['decode']) / best['floor']:.2f}"
          f";  FLAC decode alone / (b): {best['decode'] / best['floor']:.2f}")


if __name__ == "__main__":
    main()
