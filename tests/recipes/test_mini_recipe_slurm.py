"""The mini recipe (stages 0-5, tiny corpus, LA track) through a real one-node Slurm: each
sharded stage and the training as sbatch job arrays (SPOOFCM_CMD_BACKEND=slurm, --nj 2), with
the same scores and metrics as the run.pl run of the session's mini recipe. One shard is made
to fail on a corrupt audio file, then repaired and rerun with --pick failed."""
from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from conftest import REPO, Recipe, scratch_recipe

# the quickest system that has an SSL cache, so stages 1, 2, 3 and 4 all go through sbatch
MODEL = "ssl_cbam_resnet18"
TAG = f"{MODEL}_mini_seed0"
TRAIN = ("--train-args", "--train.max_epochs 1")   # as test_all_systems: its run is reused
# LA only (the mini recipe evaluates both tracks): DF would add one more set to stages 0-5
# through the same code path
TRACK = ("--track", "LA")
SCORED = ("dev", "eval_la21")
EVAL_SETS = ("eval_la21",)
BROKEN_SET = "dev"

pytestmark = pytest.mark.slow


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    """Exit code and output of a started recipe that may fail."""
    proc.wait(timeout=1800)
    proc.log.seek(0)
    out = proc.log.read()
    proc.log.close()
    return proc.returncode, out


def break_one_file(recipe: Path, tmp: Path) -> tuple[Path, bytes]:
    """Point the last utterance of shard 2 (of 2) of data/<BROKEN_SET> at a truncated copy of
    its audio; returns that copy's path and the good bytes."""
    from spoofcm.data.datadir import load_data_dir
    from spoofcm.data.split import job_slice

    scp = recipe / "data" / BROKEN_SET / "wav.scp"
    shard2 = job_slice(load_data_dir(recipe / "data" / BROKEN_SET).utts, 2, 2)
    utt = shard2[-1]
    lines = scp.read_text().splitlines()
    i, (_, src) = next((i, ln.split(None, 1)) for i, ln in enumerate(lines) if ln.split()[0] == utt)
    good = Path(src).read_bytes()
    broken = tmp / "broken" / Path(src).name
    broken.parent.mkdir()
    broken.write_bytes(good[: len(good) // 3])
    lines[i] = f"{utt} {broken}"
    scp.write_text("\n".join(lines) + "\n")
    return broken, good


def overlapped(tasks: list[dict[str, str]]) -> bool:
    """Whether two of these finished tasks ran at the same time (Slurm's 1 s timestamps)."""
    spans = sorted((datetime.fromisoformat(t["StartTime"]), datetime.fromisoformat(t["EndTime"]))
                   for t in tasks)
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:]))


@pytest.fixture(scope="module")
def local_run(mini_recipe) -> Recipe:
    """The run.pl reference: stages 3-5 of MODEL in the session's mini recipe (stages 0-2 were
    run there for every system). After test_all_systems (same options) the results are there
    already and nothing is run."""
    exp = mini_recipe.dir / "exp" / TAG
    if not all((exp / "results" / s / "metrics.json").is_file() for s in EVAL_SETS):
        mini_recipe.run("--stage", "3", "--stop-stage", "5", *TRAIN, models=[MODEL])
    return mini_recipe


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, mini_recipe, tmp_path_factory):
    """Stages 0-5 through Slurm in a fresh scratch tree, with one failure on the way: stage 1
    fails on a corrupt file in shard 2 of BROKEN_SET; the file is repaired and the recipe is
    resumed with SPOOFCM_CMD_OPTS='--pick failed'. Returns the recipe and what was seen.
    The inputs are the session's: the tiny corpus and the random tiny SSL checkpoint that
    run.sh wrote for the mini recipe (on the submit host, not through Slurm)."""
    tmp = tmp_path_factory.mktemp("slurm_recipe")
    recipe = scratch_recipe(tmp, "mini")
    (recipe / "db").mkdir()
    for name in ("tiny", "tiny_xlsr.pt"):
        (recipe / "db" / name).symlink_to((mini_recipe.dir / "db" / name).resolve())
    env = {"MINI_SIZE": "tiny", "SPOOFCM_CMD_BACKEND": "slurm", "SPOOFCM_QUEUE_POLL_MAX": "0.5",
           **slurm_cluster.env}
    rec = Recipe(recipe, env)
    t0 = time.monotonic()
    rec.run("--stage", "0", "--stop-stage", "0", *TRACK, models=[MODEL])
    broken, good = break_one_file(recipe, tmp)
    rc, failed_out = finish(rec.start("--nj", "2", "--stage", "1", *TRACK, *TRAIN,
                                      models=[MODEL]))
    log_dir = recipe / "dump" / "logmel" / BROKEN_SET / "log"
    seen = {"rc": rc, "out": failed_out, "broken": broken,
            "logs": {j: (log_dir / f"dump.{j}.log").read_text() for j in (1, 2)},
            "log1_mtime": (log_dir / "dump.1.log").stat().st_mtime_ns}
    broken.write_bytes(good)
    resumed = Recipe(recipe, {**env, "SPOOFCM_CMD_OPTS": "--pick failed"})
    seen["resumed_out"] = resumed.run("--nj", "2", "--stage", "1", *TRACK, *TRAIN,
                                      models=[MODEL])
    seen["log1_mtime_after"] = (log_dir / "dump.1.log").stat().st_mtime_ns
    seen["seconds"] = time.monotonic() - t0
    print(f"\n[slurm recipe] stages 0-5 through Slurm, one failure included: "
          f"{seen['seconds']:.0f} s")
    return rec, seen


def test_corrupt_file_fails_its_array_task_and_pick_failed_reruns_only_it(slurm_run,
                                                                           slurm_cluster):
    rec, seen = slurm_run
    assert seen["rc"] != 0, "stage 1 went through with a corrupt audio file"
    assert "slurm.pl: 1 / 2 failed" in seen["out"], seen["out"][-3000:]
    assert str(seen["broken"]) in seen["logs"][2] and "# Ended (code 1)" in seen["logs"][2]
    assert "# Ended (code 0)" in seen["logs"][1]
    # as Slurm saw it: the array of that set had task 1 completed, task 2 failed, and the
    # --pick failed resubmission ran task 2 only
    script = str(rec.dir / "dump" / "logmel" / BROKEN_SET / "log" / "q" / "dump.sh")
    tasks = [j for j in slurm_cluster.jobs() if j.get("Command") == script]
    by_array: dict[int, list[tuple[str, str]]] = {}
    for t in tasks:
        by_array.setdefault(int(t["ArrayJobId"]), []).append((t["ArrayTaskId"], t["JobState"]))
    assert [sorted(by_array[a]) for a in sorted(by_array)] == [
        [("1", "COMPLETED"), ("2", "FAILED")], [("2", "COMPLETED")]], by_array
    assert "--pick failed: rerunning 1 of 2 jobs (2)" in seen["resumed_out"]
    assert seen["log1_mtime_after"] == seen["log1_mtime"], "task 1 ran again"


def test_every_stage_ran_as_slurm_arrays_two_tasks_at_once(slurm_run, slurm_cluster):
    rec, _ = slurm_run
    # run.sh submits from the repository root (the launcher tests submit from their tmp dirs)
    mine = [j for j in slurm_cluster.finished() if j["WorkDir"] == str(REPO)]
    names = {j["Name"] for j in mine}
    assert {"dump", "train", "infer"} <= names, names
    arrays: dict[str, list[dict[str, str]]] = {}
    for j in mine:
        arrays.setdefault(j["ArrayJobId"], []).append(j)
    pairs = [a for a in arrays.values() if len(a) == 2]
    assert pairs and any(overlapped(a) for a in pairs), "no two tasks of an array ran at once"
    # the job script slurm.pl wrote for each stage (run.pl writes none)
    for pattern in ("dump/logmel/train/log/q/dump.sh", "dump/ssl/*/train/log/q/dump.sh",
                    f"exp/{TAG}/q/train.sh", f"exp/{TAG}/scores/eval_la21/log/q/infer.sh"):
        assert list(rec.dir.glob(pattern)), pattern


def test_same_scores_and_metrics_as_run_pl(slurm_run, local_run):
    rec, _ = slurm_run
    for s in SCORED:
        mine = rec.dir / "exp" / TAG / "scores" / s / "score.txt"
        ref = local_run.dir / "exp" / TAG / "scores" / s / "score.txt"
        assert mine.read_bytes() == ref.read_bytes(), f"{s}: Slurm and run.pl scores differ"
    got = rec.check_metrics(TAG, EVAL_SETS)
    want = local_run.check_metrics(TAG, EVAL_SETS)
    for s in EVAL_SETS:
        # paths inside metrics.json name each run's own tree
        assert json.loads(json.dumps(got[s]).replace(str(rec.dir), "<recipe>")) == \
            json.loads(json.dumps(want[s]).replace(str(local_run.dir), "<recipe>")), s

