"""spoofcm-infer: sharded scoring of a set, done markers, window averaging, GMM path."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import tinycm  # noqa: E402

from spoofcm.bin.infer import main as infer_main  # noqa: E402
from spoofcm.bin.train import main as train_main  # noqa: E402
from spoofcm.data.datadir import load_data_dir, read_map  # noqa: E402
from spoofcm.metrics.det import compute_eer  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("infer")
    corpus = tinycm.make_corpus(root / "corpus")
    config = tinycm.write_config(root / "c.yaml", tinycm.base_config(max_epochs=2))
    exp = root / "exp"
    assert train_main(["--config", str(config), "--data-dir", str(corpus / "data"),
                       "--dump-dir", str(corpus / "dump"), "--exp", str(exp),
                       "--device", "cpu"]) == 0
    return corpus, exp


def infer(corpus: Path, exp: Path, out: Path, job: int, nj: int, *extra: str) -> int:
    return infer_main(["--exp", str(exp), "--data", str(corpus / "data" / "dev"),
                       "--dump-dir", str(corpus / "dump"), "--out", str(out),
                       "--job", str(job), "--nj", str(nj), "--device", "cpu", *extra])


def merged(out: Path, nj: int) -> dict[str, float]:
    scores: dict[str, float] = {}
    for j in range(1, nj + 1):
        for line in (out / f"score.{j}.txt").read_text().splitlines():
            utt, s = line.split()
            assert utt not in scores
            scores[utt] = float(s)
    return scores


def test_sharded_scores_cover_the_set_and_match_dev_eer(trained, tmp_path):
    corpus, exp = trained
    out = tmp_path / "scores"
    for j in (1, 2):
        assert infer(corpus, exp, out, j, 2) == 0
        assert (out / f".done.{j}").is_file()
    dev = load_data_dir(corpus / "data" / "dev")
    scores = merged(out, 2)
    assert list(scores) == dev.utts  # C order, each utterance once
    bona = np.array([s for u, s in scores.items() if dev.utt2label[u] == "bonafide"])
    spoof = np.array([s for u, s in scores.items() if dev.utt2label[u] == "spoof"])
    eer, thr = compute_eer(bona, spoof)
    stored = json.loads((exp / "threshold.json").read_text())
    assert eer == pytest.approx(stored["dev_eer"]) and thr == pytest.approx(stored["threshold"], abs=1e-5)
    # a finished job is skipped
    (out / "score.1.txt").write_text("sentinel\n")
    assert infer(corpus, exp, out, 1, 2) == 0
    assert (out / "score.1.txt").read_text() == "sentinel\n"


def test_window_averaging_differs_from_full_utterance(trained, tmp_path):
    corpus, exp = trained
    assert infer(corpus, exp, tmp_path / "full", 1, 1) == 0
    assert infer(corpus, exp, tmp_path / "win", 1, 1, "--window-seconds", "0.3") == 0
    full, win = merged(tmp_path / "full", 1), merged(tmp_path / "win", 1)
    assert list(full) == list(win)
    assert all(np.isfinite(list(win.values())))
    assert any(abs(full[u] - win[u]) > 1e-6 for u in full)


def test_missing_checkpoint_is_an_error(trained, tmp_path, capsys):
    corpus, _ = trained
    assert infer(corpus, tmp_path / "nope", tmp_path / "o", 1, 1) == 1
    assert "checkpoint not found" in capsys.readouterr().err


def test_non_neural_scoring(trained, tmp_path):
    pytest.importorskip("spoofcm.audio.io")
    corpus, _ = trained
    cfg = tinycm.base_config()
    cfg["model"] = {"name": "helpers.tinycm:build_gmm"}
    config = tinycm.write_config(tmp_path / "g.yaml", cfg)
    exp = tmp_path / "gmm"
    assert train_main(["--config", str(config), "--data-dir", str(corpus / "data"),
                       "--exp", str(exp), "--device", "cpu"]) == 0
    assert infer(corpus, exp, tmp_path / "s", 1, 1) == 0
    scores = merged(tmp_path / "s", 1)
    assert list(scores) == list(read_map(corpus / "data" / "dev" / "wav.scp"))
