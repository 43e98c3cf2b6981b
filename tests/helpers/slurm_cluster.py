"""pytest plugin (registered in tests/conftest.py): ``slurm_cluster``, a real one-node Slurm
(Debian's slurmctld, slurmd, slurm-client and munge) for the session, with its own
slurm.conf, state, spool and logs in a temporary folder and its own munged (run as the munge
user, own key and socket). Daemons run in the foreground and are stopped by process id at the
end of the session, after every job left is cancelled. Skipped unless root and installed
(local/setup_env.sh installs the packages as root)."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

from helpers.daemons import Daemons, free_port, wait_until

BINARIES = ("munged", "munge", "unmunge", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol",
            "scancel", "sinfo")
NODE = "spoofcm-node"
# Two 1-CPU jobs at once: each job gets MEM_PER_CPU_MB unless it asks for more.
NODE_MEM_MB = 2048
# One gres/gpu backed by /dev/null (Slurm 22.05 drops a gpu gres without File=): GPU requests
# are accepted and can be read back, but GPU jobs are never run here.
GPUS = 1


def slurm_conf(root: Path, host: str, munge_socket: Path, cpus: int) -> str:
    """One node, one partition, everything under ``root``; no cgroups or accounting
    database, so it runs in a container. jobcomp/filetxt records each finished task."""
    return f"""\
ClusterName=spoofcmtest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/run/slurmctld.pid
SlurmdPidFile={root}/run/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={root}/log/jobcomp.txt
SchedulerType=sched/builtin
# start a submitted array at once (the default delay, 3 s, is for high submission rates)
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
MinJobAge=3600
GresTypes=gpu
NodeName={NODE} NodeHostname={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={NODE_MEM_MB} Gres=gpu:{GPUS} State=UNKNOWN
PartitionName=debug Nodes={NODE} Default=YES MaxTime=INFINITE State=UP DefMemPerCPU={NODE_MEM_MB // cpus}
"""


@dataclass
class SlurmCluster:
    """A running test cluster: ``env`` (SLURM_CONF) is what client commands and recipes need."""

    root: Path
    conf: Path
    env: dict[str, str]
    version: str = ""
    daemons: Daemons = field(default_factory=Daemons)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """A Slurm client command (sbatch, squeue, scontrol, ...) against this cluster."""
        res = subprocess.run(list(args), env={**os.environ, **self.env}, capture_output=True,
                             text=True, timeout=60)
        if check and res.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: code {res.returncode}: {res.stderr.strip()}")
        return res

    def jobs(self) -> list[dict[str, str]]:
        """Every job (and array task) slurmctld still knows, as KEY=VALUE dicts."""
        out = self.run("scontrol", "--oneliner", "show", "job", check=False).stdout
        return [parse_fields(line) for line in out.splitlines() if line.startswith("JobId=")]

    def finished(self) -> list[dict[str, str]]:
        """The jobcomp records: one per finished job or array task (JobState, ExitCode, ...)."""
        path = self.root / "log" / "jobcomp.txt"
        return [parse_fields(x) for x in path.read_text().splitlines()] if path.exists() else []

    def idle(self) -> bool:
        return self.run("sinfo", "--noheader", "--nodes", NODE, "--format=%t",
                        check=False).stdout.strip() == "idle"

    def cancel_all(self, timeout: float = 60) -> None:
        """Cancel every job of this cluster and wait until none is left running."""
        self.run("scancel", "--user", pwd.getpwuid(os.getuid()).pw_name, check=False)
        wait_until("the cancelled jobs to end", lambda: not self.run(
            "squeue", "--noheader", check=False).stdout.strip(), timeout)


def parse_fields(line: str) -> dict[str, str]:
    """'A=1 B=x y C=2' -> {A: 1, B: 'x y', C: 2} (values may hold blanks, keys never do)."""
    out: dict[str, str] = {}
    key = None
    for word in line.split():
        k, eq, v = word.partition("=")
        if eq and k and k.replace(":", "").replace("/", "").isalnum():
            key = k
            out[key] = v
        elif key is not None:
            out[key] += " " + word
    return out


def start_munge(daemons: Daemons, mdir: Path, log: Path) -> Path:
    """munged as the munge user with a fresh key in ``mdir``; returns its socket."""
    munge = pwd.getpwnam("munge")
    os.chown(mdir, munge.pw_uid, munge.pw_gid)
    mdir.chmod(0o755)   # munged: the socket directory must be searchable by all
    key = mdir / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    os.chown(key, munge.pw_uid, munge.pw_gid)
    sock = mdir / "munge.socket"
    daemons.start("munged", ["munged", "--foreground", f"--socket={sock}",
                            f"--key-file={key}", f"--pid-file={mdir}/munged.pid",
                            f"--log-file={mdir}/munged.log", f"--seed-file={mdir}/munged.seed"],
                  log, user="munge")

    def works() -> bool:
        if not sock.exists():
            return False
        cred = subprocess.run(["munge", "--no-input", f"--socket={sock}"], capture_output=True)
        return cred.returncode == 0 and subprocess.run(
            ["unmunge", f"--socket={sock}"], input=cred.stdout, capture_output=True).returncode == 0
    wait_until("munged", works, 20, daemons.check_alive)
    return sock


def start_slurm(root: Path, munge_dir: Path) -> SlurmCluster:
    """Write the configuration and start munged, slurmctld and slurmd (in that order); on
    any failure everything started so far is stopped again."""
    for d in ("state", "spool", "run", "log"):
        (root / d).mkdir(parents=True, exist_ok=True)
    daemons = Daemons()
    try:
        sock = start_munge(daemons, munge_dir, root / "log" / "munged.out")
        host = socket.gethostname().split(".")[0]
        conf = root / "slurm.conf"
        conf.write_text(slurm_conf(root, host, sock, os.cpu_count() or 1))
        (root / "gres.conf").write_text(f"NodeName={NODE} Name=gpu File=/dev/null\n")
        env = {"SLURM_CONF": str(conf)}
        cluster = SlurmCluster(root, conf, env, daemons=daemons)
        denv = {**os.environ, **env}
        daemons.start("slurmctld", ["slurmctld", "-D", "-f", str(conf)],
                      root / "log" / "slurmctld.out", env=denv)
        wait_until("slurmctld", lambda: "UP" in cluster.run(
            "scontrol", "ping", check=False).stdout, 30, daemons.check_alive)
        daemons.start("slurmd", ["slurmd", "-D", "-f", str(conf), "-N", NODE],
                      root / "log" / "slurmd.out", env=denv)
        wait_until(f"node {NODE} to become idle", cluster.idle, 60, daemons.check_alive)
        cluster.version = cluster.run("sinfo", "--version").stdout.strip()
        return cluster
    except BaseException:
        daemons.stop_all()
        raise


def stop_slurm(cluster: SlurmCluster) -> None:
    """Cancel what is left, then stop slurmd, slurmctld and munged by process id."""
    try:
        cluster.cancel_all()
    finally:
        cluster.daemons.stop_all()


def skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "real Slurm needs root (slurmd runs the jobs); run the tests as root"
    missing = [b for b in BINARIES if shutil.which(b) is None]
    try:
        pwd.getpwnam("munge")
    except KeyError:
        missing.append("munge user")
    if missing:
        return (f"Slurm/munge not installed ({', '.join(missing)} missing); "
                "run local/setup_env.sh as root")
    return None


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory) -> Iterator[SlurmCluster]:
    """A running one-node Slurm for the whole session (two 1-CPU jobs at once)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("slurm")
    # munged (as the munge user) cannot reach pytest's root-only temporary tree
    munge_dir = Path(tempfile.mkdtemp(prefix="spoofcm-munge-"))
    try:
        t0 = time.monotonic()
        cluster = start_slurm(root, munge_dir)
        print(f"\n[slurm_cluster] {cluster.version} up in {time.monotonic() - t0:.1f} s")
        try:
            yield cluster
        finally:
            stop_slurm(cluster)
    finally:
        shutil.rmtree(munge_dir, ignore_errors=True)
