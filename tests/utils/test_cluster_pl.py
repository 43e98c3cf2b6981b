"""utils/slurm.pl and utils/queue.pl against stand-in sbatch/qsub on PATH."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.uthelp import REPO, run_util

BACKENDS = {
    # script, config, mapped options for --gpu 1 --mem 2G --num-threads 3, throttle, task list
    "slurm": ("slurm.pl", REPO / "conf" / "slurm.conf",
              ["--gres=gpu:1", "--mem-per-cpu 2G", "--cpus-per-task 3"], "--array=1,2,3%2",
              "--array=2 "),
    "sge": ("queue.pl", REPO / "conf" / "queue.conf",
            ["-l gpu=1", "-l mem_free=2G,ram_free=2G", "-pe smp 3"], "-tc 2", "-t 2-2 "),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request):
    return BACKENDS[request.param]


def ended_code(log: Path) -> str:
    return log.read_text().splitlines()[-1].split(")")[0].split()[-1]


def test_submits_with_mapped_options_and_writes_logs(tmp_path, fake_scheduler, backend):
    env, record = fake_scheduler
    script, conf, mapped, throttle, _ = backend
    res = run_util([script, "--config", str(conf), "--gpu", "1", "--mem", "2G",
                    "--num-threads", "3", "--max-jobs-run", "2", "JOB=1:3", "exp/log/d.JOB.log",
                    "echo", "job JOB", "|", "tr", "j", "J"], tmp_path, env)
    assert res.returncode == 0, res.stderr
    calls = record.read_text().splitlines()
    assert len(calls) == 1
    for opt in mapped + [throttle]:
        assert opt in calls[0]
    assert (tmp_path / "exp/log/q/d.sh").is_file()
    for j in (1, 2, 3):
        lines = (tmp_path / f"exp/log/d.{j}.log").read_text().splitlines()
        assert lines[0] == f"# echo 'job {j}' | tr j J"
        assert f"Job {j}" in lines
        assert "threads=3" in lines[-2]
        assert lines[-1].startswith("# Ended (code 0)")


def test_defaults_add_no_gpu_options_and_builtin_config_works(tmp_path, fake_scheduler, backend):
    env, record = fake_scheduler
    script, conf, mapped, _, _ = backend
    res = run_util([script, "--config", str(conf), "JOB=1:2", "log/n.JOB.log", "true"],
                   tmp_path, env)
    assert res.returncode == 0, res.stderr
    assert mapped[0] not in record.read_text()
    # No --config and no conf/ in the working dir: the built-in config maps --gpu the same way.
    res = run_util([script, "--gpu", "1", "JOB=1:2", "log/n.JOB.log", "true"], tmp_path, env)
    assert res.returncode == 0, res.stderr
    assert mapped[0] in record.read_text().splitlines()[-1]


def test_failure_then_pick_failed_resubmits_only_that_job(tmp_path, fake_scheduler, backend):
    env, record = fake_scheduler
    script, conf, _, _, only_two = backend
    args = [script, "--config", str(conf), "JOB=1:3", "log/p.JOB.log",
            "echo ran >> runs.JOB; [ JOB -ne 2 ] || [ -f marker ]"]
    first = run_util(args, tmp_path, env)
    assert first.returncode == 1 and "1 / 3 failed" in first.stderr
    assert ended_code(tmp_path / "log/p.2.log") == "1"
    (tmp_path / "marker").touch()
    second = run_util(args[:1] + ["--pick", "failed"] + args[1:], tmp_path, env)
    assert second.returncode == 0, second.stderr
    assert only_two in record.read_text().splitlines()[-1] + " "
    runs = {j: len((tmp_path / f"runs.{j}").read_text().splitlines()) for j in (1, 2, 3)}
    assert runs == {1: 1, 2: 2, 3: 1}
    assert ended_code(tmp_path / "log/p.2.log") == "0"


def test_waits_for_jobs_that_finish_later(tmp_path, fake_scheduler, backend):
    env, _ = fake_scheduler
    script, conf, _, _, _ = backend
    res = run_util([script, "--config", str(conf), "JOB=1:2", "log/b.JOB.log", "exit JOB"],
                   tmp_path, dict(env, FAKE_SCHED_MODE="background"))
    assert res.returncode == 1 and "2 / 2 failed" in res.stderr
    assert ended_code(tmp_path / "log/b.2.log") == "2"


def test_job_dropped_by_the_scheduler_is_reported(tmp_path, fake_scheduler, backend):
    env, _ = fake_scheduler
    script, conf, _, _, _ = backend
    res = run_util([script, "--config", str(conf), "JOB=1:2", "log/v.JOB.log", "true"],
                   tmp_path, dict(env, FAKE_SCHED_MODE="drop", SPOOFCM_QUEUE_CHECK_SECONDS="0.1"))
    assert res.returncode == 1
    assert "vanished from the scheduler" in res.stderr and "2 / 2 failed" in res.stderr


def test_unreachable_scheduler_is_no_answer_and_the_launcher_keeps_waiting(
        tmp_path, fake_scheduler, backend):
    env, _ = fake_scheduler
    script, conf, _, _, _ = backend
    res = run_util([script, "--config", str(conf), "JOB=1:2", "log/u.JOB.log", "sleep 0.5"],
                   tmp_path, dict(env, FAKE_SCHED_MODE="background", FAKE_STATUS="down",
                                  SPOOFCM_QUEUE_CHECK_SECONDS="0.05"))
    assert res.returncode == 0, res.stderr
    assert "vanished" not in res.stderr and res.stderr.count("cannot ask the scheduler") == 1


def test_option_missing_from_config_is_an_error(tmp_path, fake_scheduler, backend):
    env, record = fake_scheduler
    script, conf, _, _, _ = backend
    res = run_util([script, "--config", str(conf), "--colour", "red", "JOB=1:2",
                    "log/e.JOB.log", "true"], tmp_path, env)
    assert res.returncode == 1 and "--colour red" in res.stderr
    assert not record.exists()
    bad = tmp_path / "bad.conf"
    bad.write_text("command sbatch\nthis is not valid\n")
    res = run_util([script, "--config", str(bad), "log/e.log", "true"], tmp_path, env)
    assert res.returncode == 1 and "bad.conf:2" in res.stderr
