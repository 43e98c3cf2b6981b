"""utils/slurm.pl against a real one-node Slurm (the session's ``slurm_cluster``): resource
options as slurmctld recorded them, held and cancelled jobs, failed array tasks."""
from __future__ import annotations

from helpers.uthelp import REPO, held_config, run_util, start_util, wait_for

POLL = {"SPOOFCM_QUEUE_POLL_MAX": "0.2", "SPOOFCM_QUEUE_CHECK_SECONDS": "0.5"}


def test_gpu_cpu_and_memory_requests_as_slurm_records_them(slurm_cluster, tmp_path):
    conf = held_config(REPO / "conf" / "slurm.conf", tmp_path / "held.conf", "sbatch", "--hold")
    proc = start_util(["slurm.pl", "--config", str(conf), "--gpu", "1", "--num-threads", "2",
                       "--mem", "300M", "JOB=1:2", "log/g.JOB.log", "true"], tmp_path,
                      {**slurm_cluster.env, **POLL})
    try:
        script = str(tmp_path / "log" / "q" / "g.sh")
        job = wait_for("the held array in scontrol", lambda: next(
            (j for j in slurm_cluster.jobs() if j.get("Command") == script), None))
        assert job["JobState"] == "PENDING" and job["Reason"] == "JobHeldUser", job
        assert job["ArrayTaskId"] == "1-2", job   # one array, not yet split into tasks
        # what sbatch accepted: --gres=gpu:1, --cpus-per-task 2, --mem-per-cpu 300M
        assert job["TresPerNode"] == "gres:gpu:1", job
        assert job["CPUs/Task"] == "2" and job["MinMemoryCPU"] == "300M", job
        slurm_cluster.run("scancel", job["ArrayJobId"])
        # the cancelled job never writes its exit codes: slurm.pl must notice it is gone
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err
    assert "vanished from the scheduler" in err and "2 / 2 failed" in err, err


def test_failed_task_then_pick_failed_reruns_only_it(slurm_cluster, tmp_path):
    env = {**slurm_cluster.env, **POLL}
    args = ["slurm.pl", "--config", str(REPO / "conf" / "slurm.conf"), "JOB=1:2",
            "log/p.JOB.log", "echo ran >> runs.JOB; [ JOB -ne 2 ] || [ -f marker ]"]
    first = run_util(args, tmp_path, env, timeout=120)
    assert first.returncode == 1 and "1 / 2 failed" in first.stderr, first.stderr
    script = str(tmp_path / "log" / "q" / "p.sh")
    # slurm.pl returns on the tasks' exit-code files; slurmctld records the ends just after
    done = wait_for("both tasks in the job completion log", lambda: (
        lambda r: r if len(r) == 2 else None)(
            [j for j in slurm_cluster.finished() if j["WorkDir"] == str(tmp_path)]))
    states = {j["ArrayTaskId"]: (j["JobState"], j["ExitCode"]) for j in done}
    assert states == {"1": ("COMPLETED", "0:0"), "2": ("FAILED", "1:0")}, states
    (tmp_path / "marker").touch()
    second = run_util(args[:1] + ["--pick", "failed"] + args[1:], tmp_path, env, timeout=120)
    assert second.returncode == 0, second.stderr
    reruns = [j for j in slurm_cluster.jobs() if j.get("Command") == script]
    assert sorted(j["ArrayTaskId"] for j in reruns) == ["1", "2", "2"], reruns
    # Slurm's own output file of each task (--output=<q>/p.%a.out)
    assert {j["StdOut"] for j in reruns} == {script[:-3] + ".1.out", script[:-3] + ".2.out"}
    runs = {j: len((tmp_path / f"runs.{j}").read_text().splitlines()) for j in (1, 2)}
    assert runs == {1: 1, 2: 2}
