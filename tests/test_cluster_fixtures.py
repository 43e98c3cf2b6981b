"""The real-scheduler fixtures skip with a one-line reason when they cannot run (not root,
packages missing), so `make test` passes as a normal user and on machines without them."""
from __future__ import annotations

from helpers import sge_cluster
from helpers import slurm_cluster


def test_not_root_is_a_one_line_skip_reason(monkeypatch):
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    for module in (slurm_cluster, sge_cluster):
        reason = module.skip_reason()
        assert reason and "needs root" in reason and "\n" not in reason


def test_missing_binaries_are_named(monkeypatch):
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("shutil.which", lambda name: None)
    reason = slurm_cluster.skip_reason()
    assert reason and "slurmctld" in reason and "local/setup_env.sh" in reason
    monkeypatch.setattr(sge_cluster, "DEBIAN_ROOT", sge_cluster.Path("/nonexistent"))
    reason = sge_cluster.skip_reason()
    assert reason and "gridengine-master" in reason
