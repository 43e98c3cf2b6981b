"""utils/queue.pl against a real one-host Grid Engine (the session's ``sge_cluster``): a
failed array task, --pick failed, and resource options as qmaster recorded them."""
from __future__ import annotations

import re

from helpers.uthelp import REPO, held_config, run_util, start_util, wait_for

POLL = {"SPOOFCM_QUEUE_POLL_MAX": "0.2", "SPOOFCM_QUEUE_CHECK_SECONDS": "0.5"}


def test_failed_task_then_pick_failed_reruns_only_it(sge_cluster, tmp_path):
    env = {**sge_cluster.env, **POLL}
    args = ["queue.pl", "--config", str(REPO / "conf" / "queue.conf"), "JOB=1:3",
            "log/p.JOB.log", "echo ran >> runs.JOB; [ JOB -ne 2 ] || [ -f marker ]"]
    first = run_util(args, tmp_path, env, timeout=120)
    assert first.returncode == 1 and "1 / 3 failed" in first.stderr, first.stderr
    assert "# Ended (code 1)" in (tmp_path / "log" / "p.2.log").read_text()
    (tmp_path / "marker").touch()
    second = run_util(args[:1] + ["--pick", "failed"] + args[1:], tmp_path, env, timeout=120)
    assert second.returncode == 0, second.stderr
    runs = {j: len((tmp_path / f"runs.{j}").read_text().splitlines()) for j in (1, 2, 3)}
    assert runs == {1: 1, 2: 2, 3: 1}
    # as qmaster accounted them: the first array's task 2 exited 1, the rerun was task 2 only
    recs = wait_for("4 accounting records", lambda: (lambda r: r if len(r) == 4 else None)(
        [r for r in sge_cluster.accounting() if r.get("jobname") == "p"]))
    tasks = sorted((int(r["jobnumber"]), r["taskid"], r["exit_status"]) for r in recs)
    first_id = tasks[0][0]
    assert [(t, e) for j, t, e in tasks if j == first_id] == [("1", "0"), ("2", "1"), ("3", "0")]
    assert [(t, e) for j, t, e in tasks if j != first_id] == [("2", "0")], tasks


def test_memory_threads_and_gpu_requests_as_qmaster_records_them(sge_cluster, tmp_path):
    conf = held_config(REPO / "conf" / "queue.conf", tmp_path / "held.conf", "qsub", "-h")
    proc = start_util(["queue.pl", "--config", str(conf), "--gpu", "1", "--num-threads", "2",
                       "--mem", "300M", "JOB=1:2", "log/g.JOB.log", "true"], tmp_path,
                      {**sge_cluster.env, **POLL})
    try:
        out = wait_for("the held array in qstat", lambda: (
            lambda o: o if "job_number" in o else "")(
                sge_cluster.run("qstat", "-j", "g", check=False).stdout))
        # what qsub accepted: -l gpu=1, -l mem_free=300M,ram_free=300M, -pe smp 2
        resources = re.search(r"hard resource_list:\s+(\S+)", out).group(1).split(",")
        assert sorted(resources) == ["gpu=1", "mem_free=300M", "ram_free=300M"], out
        assert re.search(r"parallel environment:\s+smp range:\s+2\b", out), out
        sge_cluster.run("qdel", re.search(r"job_number:\s+(\d+)", out).group(1))
        # the deleted job never writes its exit codes: queue.pl must notice it is gone
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1 and "vanished from the scheduler" in err, err
