"""Full-size ASVspoof 2019 LA / 2021 LA+DF corpora in the official layouts, audio as hard links.

Writes, under ``<out>/f<pct>/`` for each requested fraction, exactly what db.sh points at:
``LA/ASVspoof2019_LA_cm_protocols`` (train, dev), ``LA/ASVspoof2019_LA_{train,dev}/flac``,
``ASVspoof2021_{LA,DF}_eval/flac``, ``keys/{LA,DF}/CM/trial_metadata.txt``,
``keys/LA/ASV/trial_metadata.txt`` and ``keys/LA/ASV/ASVtorch_kaldi/score.txt``.

Trial counts are the official ones at 100 % (2019 LA train 25,380 = 2,580 bona fide + 6 × 3,800;
dev 24,844 = 2,548 + 6 × 3,716; 2021 LA eval 181,566 = 18,452 + 163,114; DF eval 611,829 =
22,617 + 589,212); a fraction keeps that share of every (label, attack) group, so 1 % and 10 %
have the same mix. Attacks, codecs, compressions, vocoder types and subsets follow the official
label sets; their proportions are plausible, not the organisers' exact ones (attacks and codecs
uniform; subsets 80 % eval / 10 % progress / 10 % hidden, hidden trials ``only_speech``).

Every flac is a hard link to one of a few hundred mini-corpus files copied once into
``<out>/pool`` (bona fide trials to bona fide audio, spoofed to spoofed), so a full-size corpus
costs directory entries, not gigabytes, and utterance lengths are real (mean ≈ 3.3 s).
"""
from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LA_ATTACKS = [f"A{i:02d}" for i in range(7, 20)]
LA_CODECS = ["none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus"]
LA_TX = ["loc_tx", "mad_tx", "ita_tx", "sin_tx"]
DF_COMPRESSIONS = ["nocodec", "low_mp3", "high_mp3", "low_m4a", "high_m4a", "low_ogg",
                   "high_ogg", "mp3m4a", "oggm4a"]
#: vocoder type of each 2019 LA eval attack (ASVspoof 2019 LA system descriptions)
ASVSPOOF_VOCODER = {"A07": "traditional_vocoder", "A08": "neural_vocoder_nonautoregressive",
                    "A09": "traditional_vocoder", "A10": "neural_vocoder_autoregressive",
                    "A11": "traditional_vocoder", "A12": "neural_vocoder_autoregressive",
                    "A13": "waveform_concatenation", "A14": "traditional_vocoder",
                    "A15": "neural_vocoder_autoregressive", "A16": "waveform_concatenation",
                    "A17": "traditional_vocoder", "A18": "traditional_vocoder",
                    "A19": "traditional_vocoder"}
VCC_VOCODERS = ["traditional_vocoder", "neural_vocoder_autoregressive",
                "neural_vocoder_nonautoregressive", "unknown"]
SUBSETS, SUBSET_P = ["eval", "progress", "hidden"], [0.8, 0.1, 0.1]
N_ASV = 785_281   # LA ASV trials, as bench/metrics
COUNTS = {  # set -> (bona fide, {attack: spoofed})
    "train": (2_580, {f"A0{i}": 3_800 for i in range(1, 7)}),
    "dev": (2_548, {f"A0{i}": 3_716 for i in range(1, 7)}),
    "la21": (18_452, dict(zip(LA_ATTACKS, np.diff(np.linspace(0, 163_114, 14).round().astype(int))))),
    "df21": (22_617, {"spoof": 589_212}),
}


@dataclass
class Table:
    """One set's trials (full size), in a fixed random order; ``keep`` selects a fraction."""

    uid: np.ndarray
    spk: np.ndarray
    attack: np.ndarray   # '-' for bona fide
    group: np.ndarray    # stratum id: label x attack

    def keep(self, fraction: float) -> np.ndarray:
        """Indices of the first ceil(fraction × size) trials of every stratum, in table order."""
        out = []
        for g in np.unique(self.group):
            idx = np.flatnonzero(self.group == g)
            out.append(idx[:max(1, int(np.ceil(fraction * idx.size)))])
        return np.sort(np.concatenate(out))


def _ids(rng: np.random.Generator, prefix: str, n: int) -> np.ndarray:
    return np.char.add(prefix, (rng.choice(9_000_000, n, replace=False) + 1_000_000).astype("U7"))


def _table(rng: np.random.Generator, name: str, prefix: str, speakers: list[str]) -> Table:
    bona, spoofed = COUNTS[name]
    attack = np.concatenate([np.full(bona, "-", dtype="U8")]
                            + [np.full(n, a, dtype="U8") for a, n in spoofed.items()])
    order = rng.permutation(attack.size)
    attack = attack[order]
    _, group = np.unique(attack, return_inverse=True)
    spk = np.array(speakers)[rng.integers(0, len(speakers), attack.size)]
    return Table(_ids(rng, prefix, attack.size), spk, attack, group)


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(path)


def _link_audio(flac_dir: Path, uids: np.ndarray, bona: np.ndarray, pool: dict[str, list[Path]]) -> None:
    flac_dir.mkdir(parents=True, exist_ok=True)
    for i, (uid, b) in enumerate(zip(uids.tolist(), bona.tolist())):
        src = pool["bonafide" if b else "spoof"]
        dst = flac_dir / f"{uid}.flac"
        if not dst.exists():
            dst.hardlink_to(src[i % len(src)])


def make_pool(mini_root: Path, pool_dir: Path, per_label: int) -> dict[str, list[Path]]:
    """Copy up to ``per_label`` bona fide and spoofed mini-corpus flacs into ``pool_dir``."""
    labels: dict[str, str] = {}
    for proto in (mini_root / "LA/ASVspoof2019_LA_cm_protocols").glob("*.txt"):
        for line in proto.read_text().splitlines():
            f = line.split()
            labels[f[1]] = f[4]
    for key in (mini_root / "keys/LA/CM/trial_metadata.txt", mini_root / "keys/DF/CM/trial_metadata.txt"):
        for line in key.read_text().splitlines():
            f = line.split()
            labels[f[1]] = f[5]
    files = sorted(p for p in mini_root.rglob("*.flac") if p.stem in labels)
    pool: dict[str, list[Path]] = {}
    for label in ("bonafide", "spoof"):
        chosen = [p for p in files if labels[p.stem] == label][:per_label]
        if not chosen:
            sys.exit(f"layout.py: error: no {label} flac in {mini_root}")
        (pool_dir / label).mkdir(parents=True, exist_ok=True)
        pool[label] = []
        for p in chosen:
            dst = pool_dir / label / p.name
            if not dst.exists():
                shutil.copyfile(p, dst)
            pool[label].append(dst)
    return pool


def write_corpus(root: Path, fraction: float, pool: dict[str, list[Path]], seed: int) -> dict[str, int]:
    """Write one corpus at ``fraction`` of the official sizes; return the trial counts."""
    rng = np.random.default_rng(seed)       # same seed for every fraction: nested subsets
    counts = {}
    for name, part, suffix, prefix, spks in (
            ("train", "train", "trn", "LA_T_", [f"LA_{i:04d}" for i in range(79, 99)]),
            ("dev", "dev", "trl", "LA_D_", [f"LA_{i:04d}" for i in range(69, 79)])):
        t = _table(rng, name, prefix, spks)
        k = t.keep(fraction)
        lines = [f"{s} {u} - {a} {'bonafide' if a == '-' else 'spoof'}\n"
                 for s, u, a in zip(t.spk[k], t.uid[k], t.attack[k])]
        _write(root / f"LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.{part}.{suffix}.txt", lines)
        _link_audio(root / f"LA/ASVspoof2019_LA_{part}/flac", t.uid[k], t.attack[k] == "-", pool)
        counts[name] = k.size
    eval_spks = [f"LA_{i:04d}" for i in range(1, 68)]
    counts |= _write_la21(root, rng, fraction, pool, eval_spks)
    counts |= _write_df21(root, rng, fraction, pool, eval_spks)
    return counts


def _subset(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    subset = np.array(SUBSETS)[rng.choice(3, n, p=SUBSET_P)]
    return subset, np.where(subset == "hidden", "only_speech", "notrim")


def _write_la21(root: Path, rng: np.random.Generator, fraction: float, pool, spks) -> dict[str, int]:
    t = _table(rng, "la21", "LA_E_", spks)
    n = t.uid.size
    codec = np.array(LA_CODECS)[rng.integers(0, len(LA_CODECS), n)]
    tx = np.where(codec == "none", "-", np.array(LA_TX)[rng.integers(0, len(LA_TX), n)])
    subset, trim = _subset(rng, n)
    bona = t.attack == "-"
    attack_col = np.where(bona, "bonafide", t.attack)
    label = np.where(bona, "bonafide", "spoof")
    # ASV trials over the full table: target / non-target on bona fide, spoof on spoofed trials
    asv_lab = rng.choice(3, N_ASV, p=[0.2, 0.1, 0.7])
    pick = np.where(asv_lab < 2, rng.choice(np.flatnonzero(bona), N_ASV),
                    rng.choice(np.flatnonzero(~bona), N_ASV))
    other = np.array(spks)[rng.integers(0, len(spks), N_ASV)]
    claimed = np.where(asv_lab == 1, other, t.spk[pick])
    asv_score = rng.normal(0, 1, N_ASV) + np.array([3.0, -1.0, 1.5])[asv_lab]
    k = t.keep(fraction)
    kept = np.zeros(n, dtype=bool)
    kept[k] = True
    _write(root / "keys/LA/CM/trial_metadata.txt",
           [f"{t.spk[i]} {t.uid[i]} {codec[i]} {tx[i]} {attack_col[i]} {label[i]} {trim[i]} {subset[i]}\n"
            for i in k.tolist()])
    a = np.flatnonzero(kept[pick])
    names = np.array(["target", "nontarget", "spoof"])
    _write(root / "keys/LA/ASV/trial_metadata.txt",
           [f"{claimed[j]} {t.uid[i]} {codec[i]} {tx[i]} {attack_col[i]} {names[asv_lab[j]]} "
            f"{trim[i]} {subset[i]}\n" for j, i in zip(a.tolist(), pick[a].tolist())])
    _write(root / "keys/LA/ASV/ASVtorch_kaldi/score.txt",
           [f"{claimed[j]} {t.uid[i]} {asv_score[j]:.6f}\n" for j, i in zip(a.tolist(), pick[a].tolist())])
    _link_audio(root / "ASVspoof2021_LA_eval/flac", t.uid[k], bona[k], pool)
    return {"eval_la21": k.size, "asv_la21": a.size}


def _write_df21(root: Path, rng: np.random.Generator, fraction: float, pool, spks) -> dict[str, int]:
    t = _table(rng, "df21", "DF_E_", spks)
    n = t.uid.size
    bona = t.attack == "-"
    source = np.array(["asvspoof", "vcc2018", "vcc2020"])[rng.choice(3, n, p=[0.6, 0.2, 0.2])]
    la_attack = np.array(LA_ATTACKS)[rng.integers(0, len(LA_ATTACKS), n)]
    team = rng.integers(1, 34, n)
    vcc_voc = np.array(VCC_VOCODERS)[team % len(VCC_VOCODERS)]
    asv = source == "asvspoof"
    attack = np.where(bona, "bonafide", np.where(asv, la_attack, np.char.add("T", team.astype("U2"))))
    vocoder = np.where(bona, "bonafide", np.where(asv, np.vectorize(ASVSPOOF_VOCODER.get)(la_attack), vcc_voc))
    spk = np.where(asv, t.spk, np.where(source == "vcc2018", "VCC2SF3", "TEF1"))
    task = np.where(asv, "-", np.where(source == "vcc2018", "Task1", "Task2"))
    team_col = np.where(asv | bona, "-", np.char.add("team", team.astype("U2")))
    gender = np.where(asv, "-", "F-F")
    lang = np.where(asv, "-", "eng")
    compression = np.array(DF_COMPRESSIONS)[rng.integers(0, len(DF_COMPRESSIONS), n)]
    subset, trim = _subset(rng, n)
    label = np.where(bona, "bonafide", "spoof")
    k = t.keep(fraction)
    _write(root / "keys/DF/CM/trial_metadata.txt",
           [f"{spk[i]} {t.uid[i]} {compression[i]} {source[i]} {attack[i]} {label[i]} {trim[i]} "
            f"{subset[i]} {vocoder[i]} {task[i]} {team_col[i]} {gender[i]} {lang[i]}\n" for i in k.tolist()])
    _link_audio(root / "ASVspoof2021_DF_eval/flac", t.uid[k], bona[k], pool)
    return {"eval_df21": k.size}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mini-root", required=True, help="a generated mini corpus (source of the audio)")
    p.add_argument("--out", required=True, help="bench output folder (pool/ and f<pct>/ go here)")
    p.add_argument("--fractions", default="0.01,0.1,1", help="comma-separated fractions of full size")
    p.add_argument("--pool-size", type=int, default=150, help="audio files per label in the pool")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    out = Path(args.out).resolve()
    pool = make_pool(Path(args.mini_root), out / "pool", args.pool_size)
    for frac in (float(f) for f in args.fractions.split(",")):
        root = out / f"f{frac * 100:g}"
        done = root / ".done"
        sig = f"fraction={frac} seed={args.seed} pool={args.pool_size}\n"
        if done.is_file() and done.read_text() == sig:
            print(f"layout.py: {root} already written, skipping", file=sys.stderr)
            continue
        counts = write_corpus(root, frac, pool, args.seed)
        done.write_text(sig)
        print(f"layout.py: {root}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
