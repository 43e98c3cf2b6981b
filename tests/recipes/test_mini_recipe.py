"""The mini recipe end to end (stages 0-5) with the proposed system, reduced to the tiny corpus
and one epoch: data dirs, dumps, scores, metrics, RESULTS.md, and resuming."""
from __future__ import annotations

import pytest

ALL_SETS = ("train", "dev", "eval_la21", "eval_df21")
SCORED = ("dev", "eval_la21", "eval_df21")
EVAL_SETS = ("eval_la21", "eval_df21")
MODEL = "fusion_cbam_resnet18"
TAG = f"{MODEL}_mini_e2e_seed0"   # run.sh: exp/<model>_<train-config name>_<tag suffix>_seed<N>
OWN = ("--tag-suffix", "e2e")  # an experiment of this module only: never one another test trained

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fusion(mini_recipe):
    """Stages 0-5 of the mini recipe for the proposed system. The session fixture already ran
    stages 0-2, so here they only find their done markers; stage 3 trains this module's own
    experiment (--tag-suffix), whatever other tests ran before."""
    mini_recipe.run("--stage", "0", "--stop-stage", "5", "--train-args", "--train.max_epochs 1",
                    *OWN, models=[MODEL])
    return mini_recipe


def test_data_dirs_and_dumps(fusion):
    import kaldiio
    import numpy as np

    fusion.check_data(ALL_SETS)
    caches = sorted(p for p in (fusion.dir / "dump" / "ssl").iterdir() if p.is_dir())
    assert caches, "stage 2 wrote no SSL cache"
    for cache in caches:
        assert not any((cache / s).exists() for s in EVAL_SETS), "eval sets cached by default"
    for cache, s in ((c, s) for c in caches for s in ("train", "dev")):
        dim = int((cache / s / "dim").read_text())
        layers = (cache / s / "layers").read_text().split()
        feats = kaldiio.load_scp(str(cache / s / "feats.scp"))
        logmel = kaldiio.load_scp(str(fusion.dir / "dump" / "logmel" / s / "feats.scp"))
        assert set(feats) == set(logmel), (cache.name, s)
        utt = sorted(feats)[0]
        mat = feats[utt]
        assert mat.dtype == np.float16 and mat.shape[1] == len(layers) * dim, (s, mat.shape)
        # wav2vec 2.0 frame i <-> log-mel frames 2i, 2i+1
        assert abs(2 * mat.shape[0] - logmel[utt].shape[0]) <= 4, (s, utt)


def test_scores_metrics_and_results(fusion):
    scores = fusion.check_scores(TAG, SCORED)
    assert all(len(set(v.values())) > 1 for v in scores.values()), "constant scores"
    fusion.check_metrics(TAG, EVAL_SETS)
    exp = fusion.dir / "exp" / TAG
    for f in ("config.yaml", "train.log", "best.pt", "latest.pt", "env.txt"):
        assert (exp / f).is_file(), f
    text = (fusion.dir / "exp" / "RESULTS.md").read_text()
    assert TAG in text and "eval_la21" in text and "eval_df21" in text


def test_rerun_skips_finished_work_and_rescoring_reproduces(fusion):
    score_files = {s: fusion.dir / "exp" / TAG / "scores" / s / "score.txt" for s in SCORED}
    before = {s: (p.read_bytes(), p.stat().st_mtime_ns) for s, p in score_files.items()}
    best = (fusion.dir / "exp" / TAG / "best.pt").stat().st_mtime_ns
    log = fusion.run("--stage", "3", "--stop-stage", "5", "--train-args", "--train.max_epochs 1",
                     *OWN, models=[MODEL])
    assert "already trained with this configuration, skipping" in log
    assert log.count("done, skipping") >= len(SCORED)
    assert (fusion.dir / "exp" / TAG / "best.pt").stat().st_mtime_ns == best
    assert {s: (p.read_bytes(), p.stat().st_mtime_ns) for s, p in score_files.items()} == before
    # scoring again from scratch, in two shards this time, gives the same scores
    for p in score_files["dev"].parent.iterdir():
        if p.is_file():
            p.unlink()
    fusion.run("--stage", "4", "--stop-stage", "4", "--nj", "2", "--train-args",
               "--train.max_epochs 1", *OWN, models=[MODEL])
    assert score_files["dev"].read_bytes() == before["dev"][0]
