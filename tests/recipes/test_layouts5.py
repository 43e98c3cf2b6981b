"""egs/mini/local/derive_layouts5.py on a hand-made finished corpus: the ASVspoof 5 and
In-the-Wild layouts it writes are what spoofcm-prep reads, deterministically."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from spoofcm.bin.prep import main as prep_main
from spoofcm.data.datadir import load_data_dir

SCRIPT = Path(__file__).resolve().parents[2] / "egs" / "mini" / "local" / "derive_layouts5.py"
P19 = "LA/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.{}.txt"
PARTS = {
    P19.format("train.trn"): ("LA/ASVspoof2019_LA_train/flac",
                              ["LA_0001 LA_T_1000001 - - bonafide",
                               "LA_0002 LA_T_1000002 - A01 spoof"]),
    P19.format("dev.trl"): ("LA/ASVspoof2019_LA_dev/flac",
                            ["LA_0001 LA_D_1000003 - A02 spoof",
                             "LA_0002 LA_D_1000004 - - bonafide"]),
    "keys/DF/CM/trial_metadata.txt": (
        "ASVspoof2021_DF_eval/flac",
        ["LA_0003 DF_E_1000005 nocodec asvspoof bonafide bonafide notrim eval bonafide - - - -",
         "LA_0004 DF_E_1000006 low_mp3 asvspoof A09 spoof notrim eval neural_vocoder - - - -",
         "LA_0004 DF_E_1000007 high_ogg asvspoof A12 spoof notrim eval neural_vocoder - - - -"]),
    "keys/LA/CM/trial_metadata.txt": (
        "ASVspoof2021_LA_eval/flac",
        ["LA_0003 LA_E_1000008 none - bonafide bonafide notrim eval",
         "LA_0004 LA_E_1000009 alaw ita_tx A07 spoof notrim eval",
         "LA_0004 LA_E_1000010 gsm ita_tx bonafide bonafide notrim progress"]),
}


def fake_corpus(root: Path) -> Path:
    for i, (rel, (flac, lines)) in enumerate(PARTS.items()):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("".join(line + "\n" for line in lines))
        (root / flac).mkdir(parents=True, exist_ok=True)
        for j, line in enumerate(lines):
            x = np.random.default_rng(10 * i + j).uniform(-0.5, 0.5, 800 + j).astype(np.float32)
            sf.write(str(root / flac / f"{line.split()[1]}.flac"), x, 16000, format="FLAC")
    (root / ".done").write_text("size=fake seed=0\n")
    return root


def derive(src: Path, out: Path) -> None:
    res = subprocess.run([sys.executable, str(SCRIPT), "--src", str(src), "--out", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_layouts_are_read_by_spoofcm_prep(tmp_path):
    src = fake_corpus(tmp_path / "corpus")
    derive(src, tmp_path / "out")
    asv5, itw = tmp_path / "out" / "ASVspoof5", tmp_path / "out" / "release_in_the_wild"
    for name in ("train_asv5", "dev_asv5", "eval_asv5"):
        assert prep_main(["--set", name, "--out", str(tmp_path / name), "--asv5", str(asv5),
                          "--no-progress"]) == 0
    ev = load_data_dir(tmp_path / "eval_asv5", check_audio=True)
    assert ev.utt2label == {"E_0000000000": "bonafide", "E_0000000001": "spoof",
                            "E_0000000002": "spoof"}
    assert ev.utt2attack == {"E_0000000000": "-", "E_0000000001": "A17", "E_0000000002": "A18"}
    assert ev.utt2cond == {"E_0000000000": "none", "E_0000000001": "C02", "E_0000000002": "C01"}
    train = load_data_dir(tmp_path / "train_asv5")
    assert train.utt2attack == {"T_0000000000": "-", "T_0000000001": "A01"}
    assert prep_main(["--set", "eval_itw", "--out", str(tmp_path / "itw"), "--itw", str(itw),
                      "--no-progress"]) == 0
    d = load_data_dir(tmp_path / "itw", check_audio=True)
    assert sorted(d.utts) == ["0", "1", "2"] and sorted(d.utt2label.values()) == [
        "bonafide", "bonafide", "spoof"]
    assert set(d.utt2spk.values()) == {"Speaker_1", "Speaker_2"}
    assert sf.info(d.wav["0"]).format == "WAV"


def test_derivation_is_deterministic_and_idempotent(tmp_path):
    src = fake_corpus(tmp_path / "corpus")
    derive(src, tmp_path / "a")
    derive(src, tmp_path / "b")
    for rel in ("ASVspoof5/ASVspoof5_protocols/ASVspoof5.eval.track_1.tsv",
                "release_in_the_wild/meta.csv"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    res = subprocess.run([sys.executable, str(SCRIPT), "--src", str(src), "--out",
                          str(tmp_path / "a")], capture_output=True, text=True)
    assert res.returncode == 0 and "already there" in res.stdout
