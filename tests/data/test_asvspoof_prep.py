"""Stage 0 on small hand-made trees in the official ASVspoof layouts, good and broken."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from spoofcm.audio.io import read_audio
from spoofcm.bin.prep import main as prep_main
from spoofcm.data.asvspoof import CorpusRoots, parse_df21_key, parse_la21_key, prepare_set
from spoofcm.data.datadir import load_data_dir
from spoofcm.errors import SpoofcmError

REPO = Path(__file__).resolve().parents[2]

LA19_TRAIN = ["LA_0079 LA_T_1138215 - - bonafide", "LA_0079 LA_T_1271820 - A01 spoof",
              "LA_0080 LA_T_1000137 - A04 spoof", "LA_0080 LA_T_1004644 - - bonafide"]
LA19_DEV = ["LA_0069 LA_D_1047731 - - bonafide", "LA_0070 LA_D_1105538 - A02 spoof"]
LA21 = ["LA_0012 LA_E_3174123 none - A07 spoof notrim eval",
        "LA_0021 LA_E_4682511 alaw sin_tx bonafide bonafide notrim eval",
        "LA_0021 LA_E_1000001 gsm loc_tx A16 spoof notrim progress"]
DF21 = ["LA_0054 DF_E_1004181 mp3m4a asvspoof A13 spoof notrim eval waveform_concatenation - - - -",
        "TFF1 DF_E_1029581 high_mp3 vcc2020 Task2-team26 spoof notrim eval "
        "neural_vocoder_autoregressive Task2 team26 FF F",
        "LA_0016 DF_E_1007640 low_mp3 asvspoof bonafide bonafide notrim hidden bonafide - - - -"]


def _flac(path: Path, n: int, sr: int = 16000, channels: int = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(n)
    data = (0.1 * rng.standard_normal((n, channels))).astype(np.float32)
    sf.write(str(path), data, sr, format="FLAC")


def _table(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))


def make_tree(root: Path) -> CorpusRoots:
    """Official layouts: 2019 LA train/dev + protocols, 2021 LA/DF eval flac/ + keys."""
    la19, la21, df21, keys = root / "LA", root / "LA21", root / "DF21", root / "keys"
    proto = la19 / "ASVspoof2019_LA_cm_protocols"
    _table(proto / "ASVspoof2019.LA.cm.train.trn.txt", LA19_TRAIN)
    _table(proto / "ASVspoof2019.LA.cm.dev.trl.txt", LA19_DEV)
    _table(keys / "LA" / "CM" / "trial_metadata.txt", LA21)
    _table(keys / "DF" / "CM" / "trial_metadata.txt", DF21)
    for i, line in enumerate(LA19_TRAIN):
        _flac(la19 / "ASVspoof2019_LA_train" / "flac" / f"{line.split()[1]}.flac", 500 + 97 * i)
    for i, line in enumerate(LA19_DEV):
        _flac(la19 / "ASVspoof2019_LA_dev" / "flac" / f"{line.split()[1]}.flac", 700 + i)
    for i, line in enumerate(LA21):
        _flac(la21 / "flac" / f"{line.split()[1]}.flac", 900 + i)
    for i, line in enumerate(DF21):  # one 22.05 kHz stereo file: length is given at 16 kHz
        _flac(df21 / "flac" / f"{line.split()[1]}.flac", 1103 + i, 22050 if i == 0 else 16000,
              2 if i == 0 else 1)
    return CorpusRoots(str(la19), str(la21), str(df21), str(keys))


def _args(roots: CorpusRoots, name: str, out: Path, *extra: str) -> list[str]:
    return ["--set", name, "--out", str(out), "--la19", roots.la19, "--la21-eval", roots.la21_eval,
            "--df21-eval", roots.df21_eval, "--keys", roots.keys, "--no-progress", *extra]


def test_all_sets_from_official_layouts(tmp_path):
    roots = make_tree(tmp_path / "db")
    for name in ("train", "dev", "eval_la21", "eval_df21"):
        assert prep_main(_args(roots, name, tmp_path / "data" / name)) == 0
    train = load_data_dir(tmp_path / "data" / "train", check_audio=True)
    assert train.utts == ["LA_T_1000137", "LA_T_1004644", "LA_T_1138215", "LA_T_1271820"]
    assert train.utt2label["LA_T_1271820"] == "spoof" and train.utt2attack["LA_T_1271820"] == "A01"
    assert train.utt2attack["LA_T_1138215"] == "-" and train.utt2cond["LA_T_1138215"] == "-"
    assert train.utt2spk["LA_T_1000137"] == "LA_0080" and not train.utt2subset
    assert train.utt2num_samples["LA_T_1000137"] == 500 + 97 * 2
    assert all(os.path.isabs(p) for p in train.wav.values())
    assert (tmp_path / "data" / "train" / "spk2utt").read_text().splitlines()[0] == \
        "LA_0079 LA_T_1138215 LA_T_1271820"
    la = load_data_dir(tmp_path / "data" / "eval_la21")
    assert la.utt2cond == {"LA_E_1000001": "gsm", "LA_E_3174123": "none", "LA_E_4682511": "alaw"}
    assert la.utt2attack == {"LA_E_1000001": "A16", "LA_E_3174123": "A07", "LA_E_4682511": "-"}
    assert la.utt2subset["LA_E_1000001"] == "progress"
    df = load_data_dir(tmp_path / "data" / "eval_df21")
    assert df.utt2attack == {"DF_E_1004181": "waveform_concatenation",
                             "DF_E_1007640": "-", "DF_E_1029581": "neural_vocoder_autoregressive"}
    assert df.utt2cond["DF_E_1029581"] == "high_mp3" and df.utt2subset["DF_E_1007640"] == "hidden"
    with pytest.warns(UserWarning):
        wave = read_audio(df.wav["DF_E_1004181"])
    assert df.utt2num_samples["DF_E_1004181"] == len(wave)  # header length, at 16 kHz


def test_rerun_skips_and_force_rewrites(tmp_path, capsys):
    roots = make_tree(tmp_path / "db")
    out = tmp_path / "data" / "dev"
    assert prep_main(_args(roots, "dev", out)) == 0
    mtime = (out / "wav.scp").stat().st_mtime_ns
    assert prep_main(_args(roots, "dev", out)) == 0
    assert "skipping" in capsys.readouterr().err
    assert (out / "wav.scp").stat().st_mtime_ns == mtime
    assert prep_main(_args(roots, "dev", out, "--force")) == 0
    assert (out / "wav.scp").stat().st_mtime_ns != mtime


def _break(tmp_path: Path, table: str, lines: list[str]) -> CorpusRoots:
    roots = make_tree(tmp_path / "db")
    path = {"train": Path(roots.la19) / "ASVspoof2019_LA_cm_protocols" /
            "ASVspoof2019.LA.cm.train.trn.txt",
            "la21": Path(roots.keys) / "LA" / "CM" / "trial_metadata.txt",
            "df21": Path(roots.keys) / "DF" / "CM" / "trial_metadata.txt"}[table]
    _table(path, lines)
    return roots


@pytest.mark.parametrize("table,name,lines,message", [
    ("train", "train", LA19_TRAIN[:2] + ["LA_0080 LA_T_1000137 - A04"] + LA19_TRAIN[3:],
     "ASVspoof2019.LA.cm.train.trn.txt:3: expected 5 columns, got 4"),
    ("train", "train", LA19_TRAIN + [LA19_TRAIN[1]],
     "trn.txt:5: duplicate trial id 'LA_T_1271820' (first on line 2)"),
    ("train", "train", LA19_TRAIN[:1] + ["LA_0079 LA_T_1271820 - A01 spoofed"] + LA19_TRAIN[2:],
     "trn.txt:2: unknown label 'spoofed'"),
    ("train", "train", LA19_TRAIN[:1] + ["LA_0079 LA_T_1271820 - - spoof"] + LA19_TRAIN[2:],
     "trn.txt:2: label 'spoof' with attack '-'"),
    ("train", "train", LA19_TRAIN + ["LA_0080 LA_T_9999999 - A05 spoof"],
     "trn.txt:5: no audio"),
    ("train", "train", LA19_TRAIN[1:], "LA_T_1138215.flac: audio file not in"),
    ("la21", "eval_la21", LA21[:2] + [LA21[2].replace("progress", "dev")],
     "LA/CM/trial_metadata.txt:3: unknown subset 'dev'"),
    ("la21", "eval_la21", [LA21[0] + " extra"] + LA21[1:], "trial_metadata.txt:1: expected 8"),
    ("df21", "eval_df21", DF21[:2] + [DF21[2].replace("hidden bonafide", "hidden neural")],
     "DF/CM/trial_metadata.txt:3: label 'bonafide' with attack 'neural'"),
    ("df21", "eval_df21", [" ".join(DF21[0].split()[:9])] + DF21[1:],
     "DF/CM/trial_metadata.txt:1: expected 13 columns, got 9"),
])
def test_broken_trees_name_file_and_line(tmp_path, capsys, table, name, lines, message):
    roots = _break(tmp_path, table, lines)
    with pytest.raises(SpoofcmError, match=None) as err:
        prepare_set(name, roots, tmp_path / "data" / name, progress=False)
    assert message in str(err.value)
    assert prep_main(_args(roots, name, tmp_path / "data" / name)) == 1
    lines_out = capsys.readouterr().err.strip().splitlines()
    assert len(lines_out) == 1 and message in lines_out[0]
    assert not (tmp_path / "data" / name / ".done.prep").exists()


def test_missing_audio_allowed_drops_and_reports(tmp_path, capsys):
    roots = _break(tmp_path, "la21", LA21 + ["LA_0012 LA_E_7777777 opus mad_tx A10 spoof notrim hidden",
                                             "LA_0012 LA_E_7777778 opus mad_tx A10 spoof notrim hidden"])
    out = tmp_path / "data" / "eval_la21"
    assert prep_main(_args(roots, "eval_la21", out)) == 1
    assert "2 of 5 key lines lack audio" in capsys.readouterr().err
    assert prep_main(_args(roots, "eval_la21", out, "--allow-missing-audio")) == 0
    assert "dropped 2 trials" in capsys.readouterr().err
    assert load_data_dir(out).utts == ["LA_E_1000001", "LA_E_3174123", "LA_E_4682511"]


def test_empty_or_corrupt_audio_and_missing_root(tmp_path):
    roots = make_tree(tmp_path / "db")
    empty = Path(roots.la19) / "ASVspoof2019_LA_dev" / "flac" / "LA_D_1047731.flac"
    sf.write(str(empty), np.zeros((0, 1), np.float32), 16000, format="WAV")  # valid, 0 frames
    with pytest.raises(SpoofcmError, match="LA_D_1047731.flac: audio file holds no samples"):
        prepare_set("dev", roots, tmp_path / "dev", progress=False)
    bad = Path(roots.la21_eval) / "flac" / "LA_E_3174123.flac"
    bad.write_bytes(b"not a flac file at all")
    with pytest.raises(SpoofcmError, match="LA_E_3174123.flac: cannot read audio header"):
        prepare_set("eval_la21", roots, tmp_path / "la", progress=False)
    with pytest.raises(SpoofcmError, match=r"needs \$ASVSPOOF2021_DF_EVAL"):
        prepare_set("eval_df21", CorpusRoots(keys=roots.keys), tmp_path / "df", progress=False)
    with pytest.raises(SpoofcmError, match="protocol/key file not found"):
        parse_la21_key(tmp_path / "nowhere.txt")


def test_golden_key_files_parse():
    shared = Path(os.environ.get("SPOOFCM_SHARED", REPO.parent / "shared"))
    case = shared / "golden" / "asvspoof2021_eval"
    if not case.is_dir():
        pytest.skip(f"golden data not found at {case} (set SPOOFCM_SHARED)")
    la = parse_la21_key(case / "case_la_medium" / "keys" / "LA" / "CM" / "trial_metadata.txt")
    df = parse_df21_key(case / "case_df_medium" / "keys" / "DF" / "CM" / "trial_metadata.txt")
    assert len(la) == 5000 and len(df) == 5000
    assert {t.attack for t in df} <= {"-", "traditional_vocoder", "waveform_concatenation",
                                      "neural_vocoder_autoregressive",
                                      "neural_vocoder_nonautoregressive", "unknown"}
    assert {t.cond for t in la} <= {"none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus"}


def test_data_prep_sh_both_tracks(tmp_path):
    roots = make_tree(tmp_path / "db")
    env = dict(os.environ, ASVSPOOF2019_LA=roots.la19, ASVSPOOF2021_LA_EVAL=roots.la21_eval,
               ASVSPOOF2021_DF_EVAL=roots.df21_eval, ASVSPOOF2021_KEYS=roots.keys,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    cmd = ["bash", str(REPO / "local" / "data_prep.sh"), "--track", "both", "--out",
           str(tmp_path / "data")]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == \
        ["dev", "eval_df21", "eval_la21", "train"]
    bad = subprocess.run(cmd[:3] + ["XX"] + cmd[4:], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "--track must be one of LA, DF, both" in bad.stderr


def test_optional_la19_eval_set(tmp_path):
    roots = make_tree(tmp_path / "db")
    la19 = Path(roots.la19)
    _table(la19 / "ASVspoof2019_LA_cm_protocols" / "ASVspoof2019.LA.cm.eval.trl.txt",
           ["LA_0039 LA_E_2834763 - A11 spoof", "LA_0014 LA_E_8877452 - - bonafide"])
    for utt in ("LA_E_2834763", "LA_E_8877452"):
        _flac(la19 / "ASVspoof2019_LA_eval" / "flac" / f"{utt}.flac", 640)
    data, dropped = prepare_set("eval_la19", roots, tmp_path / "eval_la19", progress=False)
    assert dropped == 0 and data.utt2attack == {"LA_E_2834763": "A11", "LA_E_8877452": "-"}
