"""Shared fixtures of the recipe tests: the tiny mini corpus (generated once per session) and
one prepared mini recipe (stages 0-2 done for every system) that the end-to-end tests reuse.

Recipes run from a scratch tree, never inside the repository: ``<tmp>/run.sh`` links to the
repository's run.sh (which resolves its root with ``readlink -f``, so conf/, local/, utils/ and
the venv are the repository's) and ``<tmp>/egs/<recipe>`` is a copy of the recipe, so data/,
dump/, exp/ and RESULTS.md land in the scratch tree."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / "egs" / "mini" / "local"
TOOLS = ("ffmpeg", "sox", "espeak-ng", "flite", "text2wave", "c2enc", "c2dec")

ALL_MODELS = ("lfcc_gmm", "cqcc_gmm", "lfcc_lcnn", "rawnet2", "lfcc_ecapa_tdnn", "ssl_aasist",
              "fusion_cbam_resnet18", "fusion_resnet18", "ssl_cbam_resnet18")
#: conf/model configs outside the paper's tables (AASIST and its light size, issue 16)
EXTRA_MODELS = ("aasist", "aasist_l")


def _missing() -> list[str]:
    miss = [t for t in TOOLS if shutil.which(t) is None]
    miss += [m for m in ("pyworld", "pysptk") if importlib.util.find_spec(m) is None]
    if not Path("/usr/share/asterisk/sounds/en_US_f_Allison").is_dir():
        miss.append("asterisk-core-sounds-*-g722")
    return miss


@pytest.fixture(scope="session")
def mc():
    """The generator package (egs/mini/local/minicorpus), imported from the recipe folder."""
    if _missing():
        pytest.skip(f"mini corpus tools missing: {', '.join(_missing())} (run local/setup_env.sh)")
    sys.path.insert(0, str(LOCAL))
    import minicorpus.generate
    import minicorpus.plan
    import minicorpus.protocols
    import minicorpus.render
    import minicorpus.sources
    return minicorpus


@pytest.fixture(scope="session")
def tiny(mc, tmp_path_factory) -> Path:
    """The tiny corpus, generated through the recipe's entry point (once per session).
    SPOOFCM_TINY_CORPUS=<dir> reuses one made by ``prepare_corpus.sh --size tiny --seed 3``
    with the current generator (a stale one fails test_same_seed_same_protocols_and_audio)."""
    reuse = os.environ.get("SPOOFCM_TINY_CORPUS")
    out = Path(reuse) if reuse else tmp_path_factory.mktemp("mini") / "tiny"
    res = subprocess.run([str(LOCAL / "prepare_corpus.sh"), "--size", "tiny", "--seed", "3",
                          "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    return out


def start_recipe(script: Path, args: list[str],
                 env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a recipe script (--skip-setup true) with a clean corpus environment; its output
    goes to a temporary file (a pipe could fill up while another recipe is waited for)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASVSPOOF20", "MINI_"))}
    env.update({"OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"})
    env.update(env_extra or {})
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([str(script), "--skip-setup", "true", *args], env=env, text=True,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def finish_recipe(proc: subprocess.Popen, timeout: int = 1800) -> str:
    """Wait for a started recipe; fail with the tail of its output when it does not exit 0."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)   # the whole job tree (run.pl, python jobs)
        proc.wait()
    proc.log.seek(0)
    out = proc.log.read()
    proc.log.close()
    assert proc.returncode == 0, f"{' '.join(proc.args)} failed ({proc.returncode}):\n{out[-4000:]}"
    return out


def scratch_recipe(root: Path, name: str) -> Path:
    """Copy egs/<name> (sources only) under <root>/egs and link <root>/run.sh to the driver."""
    (root / "egs").mkdir(parents=True, exist_ok=True)
    link = root / "run.sh"
    if not link.exists():
        link.symlink_to(REPO / "run.sh")
    dst = root / "egs" / name
    shutil.copytree(REPO / "egs" / name, dst, symlinks=True,
                    ignore=shutil.ignore_patterns("db", "data", "dump", "exp", "RESULTS.md",
                                                    "__pycache__"))
    return dst


TRACK_OF = {"eval_la21": "LA", "eval_df21": "DF"}
CACHED = ("train", "dev")  # what stages 1-2 cache by default (run.sh --cache-eval false)


@dataclass(frozen=True)
class Recipe:
    """A scratch recipe dir plus the environment its run.sh gets, with the output checks the
    end-to-end tests share (docs/formats.md)."""

    dir: Path
    env: dict[str, str]

    def start(self, *args: str, models: tuple[str, ...] | list[str] = ()) -> subprocess.Popen:
        """Start run.sh of the recipe; models (if any) go through --models. One job per stage
        by default (--nj 1): on the tiny corpus, process start-up dominates the work."""
        extra = ["--nj", "1"] + (["--models", " ".join(models)] if models else [])
        return start_recipe(self.dir / "run.sh", [*extra, *args], self.env)

    def run(self, *args: str, models: tuple[str, ...] | list[str] = ()) -> str:
        """run.sh of the recipe to the end; its output."""
        return self.wait(self.start(*args, models=models))

    @staticmethod
    def wait(proc: subprocess.Popen) -> str:
        """Output of a started run; fails the test when it did not exit 0."""
        return finish_recipe(proc)

    def check_data(self, sets: tuple[str, ...], cached: tuple[str, ...] = CACHED) -> None:
        """Each data dir validates; the log-mel dump of each cached set loads with kaldiio, one
        matrix per utt; eval sets are not dumped (stage 4 computes their features)."""
        import kaldiio
        import numpy as np
        from spoofcm.data.datadir import read_map, validate_data_dir

        for s in sets:
            utts = set(validate_data_dir(self.dir / "data" / s).wav)
            dump = self.dir / "dump" / "logmel" / s
            if s not in cached:
                assert not dump.exists(), f"{s}: dumped although not a cached set"
                continue
            feats = kaldiio.load_scp(str(dump / "feats.scp"))
            frames = {u: int(n) for u, n in read_map(dump / "utt2num_frames").items()}
            assert set(feats) == utts == set(frames), f"{s}: feats.scp and the data dir disagree"
            for utt in sorted(utts)[:5]:
                mat = feats[utt]
                assert mat.dtype == np.float32 and mat.shape == (frames[utt], 128), (s, utt)
                assert np.isfinite(mat).all(), (s, utt)

    def check_scores(self, tag: str, sets: tuple[str, ...]) -> dict[str, dict[str, float]]:
        """exp/<tag>/scores/<set>/score.txt: one finite score per trial of the data dir."""
        from spoofcm.data.datadir import validate_data_dir

        out = {}
        for s in sets:
            lines = (self.dir / "exp" / tag / "scores" / s / "score.txt").read_text().splitlines()
            rows = [line.split() for line in lines]
            assert all(len(r) == 2 for r in rows), f"{tag}/{s}: malformed score line"
            scores = {u: float(v) for u, v in rows}
            assert len(scores) == len(rows), f"{tag}/{s}: duplicate trials"
            assert set(scores) == set(validate_data_dir(self.dir / "data" / s).wav), \
                f"{tag}/{s}: scores do not cover exactly the trials"
            assert all(v == v and abs(v) != float("inf") for v in scores.values()), f"{tag}/{s}"
            out[s] = scores
        return out

    def check_metrics(self, tag: str, sets: tuple[str, ...]) -> dict[str, dict]:
        """exp/<tag>/results/<set>/metrics.json follows the docs/formats.md schema."""
        out = {}
        for s in sets:
            res = self.dir / "exp" / tag / "results" / s
            m = json.loads((res / "metrics.json").read_text())
            track = TRACK_OF[s]
            assert m["track"] == track and m["subset"] == "eval", (tag, s)
            assert m["n_bonafide"] > 0 and m["n_spoof"] > 0, (tag, s)
            assert 0.0 <= m["pooled"]["eer"] <= 1.0, (tag, s)
            if track == "LA":
                assert m["pooled"]["min_tdcf"] >= 0.0 and len(m["c012"]) == 3, (tag, s)
            else:
                assert m["pooled"]["min_tdcf"] is None and m["c012"] is None, (tag, s)
            assert m["per_attack"] and m["per_condition"], (tag, s)
            for cell in [*m["per_attack"].values(), *m["per_condition"].values()]:
                assert set(cell) == {"eer", "min_tdcf"}, (tag, s)
            assert (res / "per_attack.md").is_file() and (res / "per_condition.md").is_file()
            out[s] = m
        return out


@pytest.fixture(scope="session")
def all_models() -> tuple[str, ...]:
    """The nine --model names (conf/model/*.yaml)."""
    assert sorted(p.stem for p in (REPO / "conf" / "model").glob("*.yaml")) == \
        sorted(ALL_MODELS + EXTRA_MODELS)
    return ALL_MODELS


@pytest.fixture(scope="session")
def recipe_factory(tmp_path_factory):
    """Recipe(name, env): an unchanged copy of egs/<name> in its own scratch tree."""
    def make(name: str, env: dict[str, str]) -> Recipe:
        recipe = scratch_recipe(tmp_path_factory.mktemp(name), name)
        for f in ("run.sh", "db.sh"):
            assert (recipe / f).read_bytes() == (REPO / "egs" / name / f).read_bytes()
        return Recipe(recipe, env)
    return make


@pytest.fixture(scope="session")
def mini_recipe(tiny, tmp_path_factory) -> Recipe:
    """egs/mini copied to a scratch tree whose db/tiny is the session's tiny corpus; stages 0-2
    (data, log-mel, SSL cache of the random tiny fairseq checkpoint) run once for all nine
    systems, so each end-to-end test only trains, scores and evaluates."""
    recipe = scratch_recipe(tmp_path_factory.mktemp("recipes"), "mini")
    (recipe / "db").mkdir()
    (recipe / "db" / "tiny").symlink_to(tiny, target_is_directory=True)
    mini = Recipe(recipe, {"MINI_SIZE": "tiny"})
    mini.run("--stage", "0", "--stop-stage", "2", models=ALL_MODELS)
    return mini
