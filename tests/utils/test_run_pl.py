"""utils/run.pl: parallel JOB ranges, per-job logs, failures and --pick failed."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers.uthelp import REPO, run_util


def read_log(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_jobs_run_in_parallel_with_one_log_each(tmp_path: Path) -> None:
    # Each job waits until all four have started: this only ends in time when they overlap.
    script = ("touch started.JOB; for i in $(seq 100); do [ $(ls started.* | wc -l) -ge 4 ] "
              "&& exit 0; sleep 0.05; done; exit 9")
    res = run_util(["run.pl", "--max-jobs-run", "4", "JOB=1:4", "log/x.JOB.log", script],
                   tmp_path)
    assert res.returncode == 0, res.stderr
    for j in range(1, 5):
        lines = read_log(tmp_path / "log" / f"x.{j}.log")
        assert lines[0] == "# " + script.replace("JOB", str(j))
        assert lines[1].startswith("# Started at ")
        assert lines[-2].startswith("# Accounting: time=")
        assert lines[-1].startswith("# Ended (code 0) at ")


def test_max_jobs_run_limits_concurrency(tmp_path: Path) -> None:
    script = ("touch run.JOB; sleep 0.2; ls run.* | wc -l > count.JOB; rm run.JOB")
    res = run_util(["run.pl", "--max-jobs-run", "2", "JOB=1:5", "log/c.JOB.log", script],
                   tmp_path)
    assert res.returncode == 0, res.stderr
    counts = [int((tmp_path / f"count.{j}").read_text()) for j in range(1, 6)]
    assert max(counts) <= 2


def test_failing_job_gives_nonzero_and_its_code_in_the_log(tmp_path: Path) -> None:
    res = run_util(["run.pl", "JOB=1:4", "log/f.JOB.log", "bash", "-c",
                    "[ JOB -ne 3 ] || exit 7"], tmp_path)
    assert res.returncode == 1
    assert "1 / 4 failed" in res.stderr and "log/f.3.log" in res.stderr
    assert read_log(tmp_path / "log" / "f.3.log")[-1].startswith("# Ended (code 7)")
    assert read_log(tmp_path / "log" / "f.2.log")[-1].startswith("# Ended (code 0)")


def test_pick_failed_reruns_only_the_failed_job(tmp_path: Path) -> None:
    # Job 2 fails until its marker exists; every run appends to runs.JOB.
    cmd = "echo ran >> runs.JOB; [ JOB -ne 2 ] || [ -f marker ]"
    args = ["JOB=1:3", "log/p.JOB.log", cmd]
    first = run_util(["run.pl", *args], tmp_path)
    assert first.returncode == 1 and "1 / 3 failed" in first.stderr
    (tmp_path / "marker").touch()
    second = run_util(["run.pl", "--pick", "failed", *args], tmp_path)
    assert second.returncode == 0, second.stderr
    runs = {j: len((tmp_path / f"runs.{j}").read_text().splitlines()) for j in (1, 2, 3)}
    assert runs == {1: 1, 2: 2, 3: 1}
    assert read_log(tmp_path / "log" / "p.2.log")[-1].startswith("# Ended (code 0)")
    third = run_util(["run.pl", "--pick", "failed", *args], tmp_path)
    assert third.returncode == 0 and "nothing to run" in third.stderr


def test_pick_failed_treats_an_unfinished_log_as_failed(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    (log / "u.1.log").write_text("# true\n# Started at then\n#\n# Ended (code 0) at then\n")
    (log / "u.2.log").write_text("# true\n# Started at then\n#\n")  # killed: no end line
    res = run_util(["run.pl", "--pick", "failed", "JOB=1:2", "log/u.JOB.log",
                    "echo again"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "again" not in (log / "u.1.log").read_text()
    assert "again" in (log / "u.2.log").read_text()


def test_single_job_form_runs_pipes_and_quotes_arguments(tmp_path: Path) -> None:
    res = run_util(["run.pl", "a.log", "echo one two three | wc -w"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "3" in read_log(tmp_path / "a.log")
    res = run_util(["run.pl", "b.log", "printf", "<%s>\\n", "it's a b", "|", "tr", "a", "A"],
                   tmp_path)
    assert res.returncode == 0, res.stderr
    assert "<it's A b>" in read_log(tmp_path / "b.log")
    res = run_util(["run.pl", "c.log", "false"], tmp_path)
    assert res.returncode == 1 and "job failed (code 1), see c.log" in res.stderr


def test_usage_errors(tmp_path: Path) -> None:
    res = run_util(["run.pl", "JOB=1:2", "x.log", "true"], tmp_path)
    assert res.returncode == 1 and "must contain JOB" in res.stderr
    res = run_util(["run.pl", "--pick", "some", "JOB=1:2", "x.JOB.log", "true"], tmp_path)
    assert res.returncode == 1 and "--pick" in res.stderr
    assert run_util(["run.pl", "--help"], tmp_path).returncode == 0


def test_cmd_sh_backends_resolve_to_working_launchers(tmp_path: Path) -> None:
    # What run.sh does: source path.sh and cmd.sh, then ${train_cmd} JOB=1:N log cmd.
    script = (f"set -euo pipefail; cd {REPO}; . ./path.sh; . ./cmd.sh; cd {tmp_path}; "
              "echo \"$train_cmd\"; $train_cmd JOB=1:2 log/t.JOB.log echo hello JOB")
    env = dict(os.environ, SPOOFCM_MAX_JOBS="1", SPOOFCM_CMD_BACKEND="local")
    res = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "run.pl --max-jobs-run 1"
    assert "hello 2" in (tmp_path / "log" / "t.2.log").read_text()
    res = subprocess.run(["bash", "-c", f"cd {REPO}; . ./cmd.sh"], capture_output=True,
                         text=True, env=dict(env, SPOOFCM_CMD_BACKEND="pbs"), timeout=30)
    assert res.returncode != 0 and "unknown SPOOFCM_CMD_BACKEND 'pbs'" in res.stderr
