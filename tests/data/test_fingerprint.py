"""The corpus fingerprint: same corpus anywhere -> same hash; any protocol, key or audio size
change -> another hash; stage 0's file is what stage 5 reads."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from spoofcm.bin.fingerprint import main as fingerprint_main
from spoofcm.data.asvspoof import CorpusRoots
from spoofcm.data.fingerprint import corpus_fingerprint, read_fingerprint
from spoofcm.errors import SpoofcmError

TRAIN = ["LA_0079 LA_T_1000001 - - bonafide", "LA_0079 LA_T_1000002 - A01 spoof"]
LA21 = ["LA_0012 LA_E_3000001 none - A07 spoof notrim eval"]


def make_corpus(root: Path) -> tuple[Path, CorpusRoots]:
    """Protocol/key files, audio files and the data dirs stage 0 would write (wav.scp)."""
    proto = root / "LA" / "ASVspoof2019_LA_cm_protocols"
    proto.mkdir(parents=True)
    (proto / "ASVspoof2019.LA.cm.train.trn.txt").write_text("\n".join(TRAIN) + "\n")
    keys = root / "keys"
    for sub in ("LA/CM", "LA/ASV/ASVtorch_kaldi"):
        (keys / sub).mkdir(parents=True)
    (keys / "LA" / "CM" / "trial_metadata.txt").write_text("\n".join(LA21) + "\n")
    (keys / "LA" / "ASV" / "ASVtorch_kaldi" / "score.txt").write_text("LA_0012 LA_E_3000001 1.5\n")
    data = root / "data"
    for name, lines, folder in (("train", TRAIN, "LA/ASVspoof2019_LA_train/flac"),
                                ("eval_la21", LA21, "LA21/flac")):
        (root / folder).mkdir(parents=True)
        (data / name).mkdir(parents=True)
        scp = []
        for i, line in enumerate(sorted(lines, key=lambda x: x.split()[1])):
            utt = line.split()[1]
            audio = root / folder / f"{utt}.flac"
            audio.write_bytes(b"x" * (100 + i))
            scp.append(f"{utt} {audio}\n")
        (data / name / "wav.scp").write_text("".join(scp))
    return data, CorpusRoots(str(root / "LA"), str(root / "LA21"), None, str(keys))


def test_same_corpus_elsewhere_same_hash_and_each_part_counts(tmp_path):
    data, roots = make_corpus(tmp_path / "a")
    first = corpus_fingerprint(data, roots)
    assert first["sets"]["train"]["utterances"] == 2
    assert first["sets"]["train"]["audio_bytes"] == 100 + 101
    assert "LA/ASV/ASVtorch_kaldi/score.txt" in first["keys"]
    data_b, roots_b = make_corpus(tmp_path / "b")   # same content, other absolute paths
    assert corpus_fingerprint(data_b, roots_b)["sha256"] == first["sha256"]

    audio = tmp_path / "b" / "LA21" / "flac" / "LA_E_3000001.flac"
    audio.write_bytes(b"x" * 999)                     # audio size
    assert corpus_fingerprint(data_b, roots_b)["sha256"] != first["sha256"]
    data_c, roots_c = make_corpus(tmp_path / "c")
    proto = Path(roots_c.la19) / "ASVspoof2019_LA_cm_protocols" / "ASVspoof2019.LA.cm.train.trn.txt"
    proto.write_text(proto.read_text().replace("A01", "A02"))   # protocol content
    assert corpus_fingerprint(data_c, roots_c)["sha256"] != first["sha256"]
    data_d, roots_d = make_corpus(tmp_path / "d")
    (Path(roots_d.keys) / "LA" / "ASV" / "ASVtorch_kaldi" / "score.txt").write_text("x 1\n")
    assert corpus_fingerprint(data_d, roots_d)["sha256"] != first["sha256"]


def test_cli_writes_what_stage5_reads(tmp_path, capsys):
    data, roots = make_corpus(tmp_path)
    assert read_fingerprint(data) is None
    assert fingerprint_main(["--data-dir", str(data), "--la19", roots.la19,
                             "--la21-eval", roots.la21_eval, "--keys", roots.keys]) == 0
    stored = read_fingerprint(data)
    assert stored == json.loads((data / "corpus_fingerprint.json").read_text())
    assert stored["sha256"] == corpus_fingerprint(data, roots)["sha256"]
    assert stored["sha256"][:16] in capsys.readouterr().err


def test_clear_errors(tmp_path, capsys):
    data, roots = make_corpus(tmp_path)
    (tmp_path / "LA21" / "flac" / "LA_E_3000001.flac").unlink()
    with pytest.raises(SpoofcmError, match=r"wav.scp: audio of 'LA_E_3000001' not found"):
        corpus_fingerprint(data, roots)
    shutil.rmtree(data)
    data.mkdir()
    assert fingerprint_main(["--data-dir", str(data), "--keys", roots.keys]) == 1
    assert "no prepared set" in capsys.readouterr().err
    (data / "corpus_fingerprint.json").write_text("{")
    with pytest.raises(SpoofcmError, match="corpus_fingerprint.json: not valid JSON"):
        read_fingerprint(data)


def test_rerun_skips_hashing_until_an_input_changes(tmp_path, capsys):
    data, roots = make_corpus(tmp_path)
    args = ["--data-dir", str(data), "--la19", roots.la19, "--la21-eval", roots.la21_eval,
            "--keys", roots.keys]
    assert fingerprint_main(args) == 0 and " -> " in capsys.readouterr().err
    assert fingerprint_main(args) == 0 and "unchanged in" in capsys.readouterr().err
    (Path(roots.keys) / "LA" / "CM" / "trial_metadata.txt").write_text(   # another size
        "LA_0012 LA_E_3000001 none - A08 spoof notrim progress\n")
    before = read_fingerprint(data)["sha256"]
    assert fingerprint_main(args) == 0 and " -> " in capsys.readouterr().err
    assert read_fingerprint(data)["sha256"] != before
    assert fingerprint_main(args + ["--force"]) == 0 and " -> " in capsys.readouterr().err
