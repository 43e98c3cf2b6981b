"""Stage 0 for ASVspoof 5 protocols and the In-the-Wild meta.csv: good trees and bad lines."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from spoofcm.bin.prep import main as prep_main
from spoofcm.data.asvspoof import CorpusRoots, prepare_set
from spoofcm.data.asvspoof5 import parse_protocol
from spoofcm.data.datadir import load_data_dir
from spoofcm.data.in_the_wild import parse_meta
from spoofcm.errors import SpoofcmError

TRAIN = ["T_4850 T_0000000000 F - - - AC3 A05 spoof -",
         "T_3734 T_0000000011 F - - - - bonafide bonafide -",
         "T_3734 T_0000000012 F - - - AC1 A01 spoof -"]
DEV = ["D_0062 D_0000000001 F - - - AC1 A11 spoof -",
       "D_0461 D_0000000190 M - - - - bonafide bonafide -"]
EVAL = ["E_0001 E_0000000007 M C05 3 E_0000000002 AC2 A19 spoof -",
        "E_0002 E_0000000008 F - 0 - - bonafide bonafide -",
        "E_0002 E_0000000009 F C11 7 E_0000000008 - bonafide bonafide -"]
META = ["file,speaker,label", "0.wav,Alec Guinness,spoof", '1.wav,"Obama, Barack",bona-fide',
        "2.wav,Alec Guinness,bona-fide"]


def _audio(path: Path, n: int, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), (0.1 * np.random.default_rng(n).standard_normal(n)).astype(np.float32),
             16000, format=fmt)


def _lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))
    return path


def make_asv5(root: Path) -> Path:
    for proto, folder, lines in (("ASVspoof5.train.tsv", "flac_T", TRAIN),
                                 ("ASVspoof5.dev.track_1.tsv", "flac_D", DEV),
                                 ("ASVspoof5.eval.track_1.tsv", "flac_E_eval", EVAL)):
        _lines(root / "ASVspoof5_protocols" / proto, lines)
        for i, line in enumerate(lines):
            _audio(root / folder / f"{line.split()[1]}.flac", 400 + i, "FLAC")
    return root


def make_itw(root: Path) -> Path:
    _lines(root / "meta.csv", META)
    for i in range(3):
        _audio(root / f"{i}.wav", 300 + i, "WAV")
    return root


def test_asvspoof5_sets_into_data_dirs(tmp_path):
    root = make_asv5(tmp_path / "asv5")
    for name in ("train_asv5", "dev_asv5", "eval_asv5"):
        assert prep_main(["--set", name, "--out", str(tmp_path / name), "--asv5", str(root),
                          "--no-progress"]) == 0
    train = load_data_dir(tmp_path / "train_asv5", check_audio=True)
    assert train.utt2attack == {"T_0000000000": "A05", "T_0000000011": "-",
                                "T_0000000012": "A01"}
    assert set(train.utt2cond.values()) == {"none"} and train.utt2spk["T_0000000011"] == "T_3734"
    ev = load_data_dir(tmp_path / "eval_asv5")
    assert ev.utt2cond == {"E_0000000007": "C05", "E_0000000008": "none",
                           "E_0000000009": "C11"}
    assert ev.utt2label["E_0000000009"] == "bonafide" and not ev.utt2subset


def test_in_the_wild_into_data_dir(tmp_path, monkeypatch):
    root = make_itw(tmp_path / "release_in_the_wild")
    monkeypatch.setenv("IN_THE_WILD", str(root))
    assert prep_main(["--set", "eval_itw", "--out", str(tmp_path / "itw"), "--no-progress"]) == 0
    d = load_data_dir(tmp_path / "itw", check_audio=True)
    assert d.utt2label == {"0": "spoof", "1": "bonafide", "2": "bonafide"}
    assert d.utt2spk == {"0": "Alec_Guinness", "1": "Obama,_Barack", "2": "Alec_Guinness"}
    assert d.utt2cond == d.utt2spk and d.utt2attack == {"0": "unknown", "1": "-", "2": "-"}
    assert d.wav["0"].endswith("0.wav")


def test_asvspoof5_needs_its_root(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ASVSPOOF5", raising=False)
    assert prep_main(["--set", "dev_asv5", "--out", str(tmp_path / "d")]) == 1
    assert "needs $ASVSPOOF5" in capsys.readouterr().err


@pytest.mark.parametrize("bad,message", [
    ("D_0062 D_0000000002 F - - - AC1 A11 spoof", r":3: expected 10 columns, got 9"),
    ("D_0062 D_0000000002 F - - - AC1 A11 fake -", r":3: unknown label 'fake'"),
    ("D_0062 D_0000000002 F - - - - bonafide spoof -", r":3: label 'spoof' with attack"),
    ("D_0062 D_0000000001 F - - - AC1 A11 spoof -", r":3: duplicate trial id 'D_0000000001'"),
    ("SPEAKER_ID FLAC_FILE_NAME SPEAKER_GENDER CODEC CODEC_Q CODEC_SEED ATTACK_TAG ATTACK_LABEL "
     "KEY TMP", r":3: a repeated header line"),
])
def test_asvspoof5_protocol_errors(tmp_path, bad, message):
    path = _lines(tmp_path / "p.tsv", DEV + [bad])
    with pytest.raises(SpoofcmError, match=r"p.tsv" + message) as err:
        parse_protocol(path)
    assert "\n" not in str(err.value)


def test_asvspoof5_protocol_with_header_and_missing_file(tmp_path):
    header = ("SPEAKER_ID FLAC_FILE_NAME SPEAKER_GENDER CODEC CODEC_Q CODEC_SEED ATTACK_TAG "
              "ATTACK_LABEL KEY TMP")
    with pytest.raises(SpoofcmError, match=r"p.tsv:1: a header line"):
        parse_protocol(_lines(tmp_path / "p.tsv", [header] + DEV))
    with pytest.raises(SpoofcmError, match=r"nope.tsv: protocol/key file not found"):
        parse_protocol(tmp_path / "nope.tsv")


@pytest.mark.parametrize("lines,message", [
    (META[1:], r"meta.csv:1: missing header line 'file,speaker,label'"),
    (META + ["file,speaker,label"], r"meta.csv:5: the header line is repeated"),
    (META + ["3.wav,X"], r"meta.csv:5: expected 3 columns"),
    (META + ["3.wav,X,fake"], r"meta.csv:5: unknown label 'fake'"),
    (META + ["0.wav,X,spoof"], r"meta.csv:5: duplicate trial id '0'"),
    (META + ["3.mp3,X,spoof"], r"meta.csv:5: file '3.mp3' is not a .wav name"),
    (META + ["3.wav, ,spoof"], r"meta.csv:5: empty speaker"),
])
def test_in_the_wild_meta_errors(tmp_path, lines, message):
    with pytest.raises(SpoofcmError, match=message) as err:
        parse_meta(_lines(tmp_path / "meta.csv", lines))
    assert "\n" not in str(err.value)


def test_in_the_wild_missing_audio_and_stray_audio(tmp_path, capsys):
    root = make_itw(tmp_path / "itw")
    (root / "2.wav").unlink()
    assert prep_main(["--set", "eval_itw", "--out", str(tmp_path / "o"), "--itw", str(root),
                      "--no-progress"]) == 1
    assert "meta.csv:4: no audio" in capsys.readouterr().err
    _audio(root / "2.wav", 5, "WAV")
    _audio(root / "9.wav", 5, "WAV")
    with pytest.raises(SpoofcmError, match="9.wav: audio file not in"):
        prepare_set("eval_itw", CorpusRoots(itw=str(root)), tmp_path / "o2", progress=False)
