"""pytest plugin (registered in tests/conftest.py): ``sge_cluster``, a real one-host Grid
Engine (Debian's gridengine-master, -exec and -client, SGE 8.1.9) for the session: a private
cell (own SGE_ROOT of links to the packaged binaries, own bootstrap, spool and ports) in a
temporary folder, configured with qconf from files (no interactive installer), daemons in
the foreground (SGE_ND) stopped by process id. Skipped unless root and installed."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

from helpers.daemons import Daemons, free_port, wait_until

DEBIAN_ROOT = Path("/var/lib/gridengine")      # the package's SGE_ROOT: bin lib util utilbin
SPOOLTOOLS = Path("/usr/lib/gridengine")        # spoolinit, spooldefaults
DEFAULTS = Path("/usr/share/gridengine")
BINARIES = ("sge_qmaster", "sge_execd", "qsub", "qstat", "qconf", "qdel", "qacct")
CELL = "spoofcm"
# what a site defines for conf/queue.conf's -l ram_free=... and -l gpu=... (not stock SGE)
SITE_COMPLEXES = ("ram_free ram_free MEMORY <= YES JOB 0 0\n"
                  "gpu gpu INT <= YES YES 0 0\n")


@dataclass
class SgeCluster:
    """A running cell: ``env`` (SGE_ROOT, SGE_CELL, ports) is what qsub and qstat need."""

    root: Path
    env: dict[str, str]
    host: str
    daemons: Daemons = field(default_factory=Daemons)

    def run(self, *args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        res = subprocess.run(list(args), env={**os.environ, **self.env}, capture_output=True,
                             text=True, timeout=60, **kw)
        if check and res.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: code {res.returncode}: "
                               f"{(res.stderr or res.stdout).strip()}")
        return res

    def edit(self, sed: list[str], *qconf_args: str) -> None:
        """qconf -a*/-m* through an EDITOR that applies sed expressions to the template."""
        editor = self.root / "editor.sh"
        exprs = " ".join(f"-e '{e}'" for e in sed)
        editor.write_text(f"#!/bin/sh\nsed -i {exprs} \"$1\"\n")
        editor.chmod(0o755)
        res = self.run("qconf", *qconf_args, check=False, input="")
        if res.returncode != 0 or "error" in (res.stdout + res.stderr).lower():
            raise RuntimeError(f"qconf {' '.join(qconf_args)}: {res.stdout}{res.stderr}")

    def queue_ready(self) -> bool:
        """all.q@host is known with a load value (the execd reported) and no error state."""
        out = self.run("qstat", "-f", check=False).stdout
        rows = [r.split() for r in out.splitlines() if r.startswith("all.q@")]
        return bool(rows) and rows[0][3] != "-NA-" and len(rows[0]) == 5

    def accounting(self) -> list[dict[str, str]]:
        """qacct -j: one record per finished task (jobnumber, taskid, cwd, exit_status, ...)."""
        out = self.run("qacct", "-j", check=False).stdout
        recs: list[dict[str, str]] = []
        for line in out.splitlines():
            if line.startswith("====="):
                recs.append({})
            elif recs and line.strip():
                k, _, v = line.partition(" ")
                recs[-1][k] = v.strip()
        return recs

    def cancel_all(self, timeout: float = 60) -> None:
        self.run("qdel", "-u", "root", check=False)
        wait_until("the deleted SGE jobs to end",
                   lambda: not self.run("qstat", "-u", "*", check=False).stdout.strip(), timeout)


def write_cell(root: Path, host: str) -> dict[str, str]:
    """A private SGE_ROOT/CELL: links to Debian's files, bootstrap, global configuration and
    an initialised classic spool. Returns the environment of the cell."""
    sge_root = root / "sge"
    common = sge_root / CELL / "common"
    common.mkdir(parents=True)
    for d in ("bin", "lib", "util", "utilbin"):
        (sge_root / d).symlink_to(DEBIAN_ROOT / d)
    spool = root / "qmaster"
    (spool / "common").mkdir(parents=True)
    (root / "execd").mkdir()
    (common / "bootstrap").write_text(
        f"admin_user none\ndefault_domain none\nignore_fqdn true\nspooling_method classic\n"
        f"spooling_lib libspoolc\nspooling_params {spool}/common;{spool}\nbinary_path /usr/sbin\n"
        f"qmaster_spool_dir {spool}\nsecurity_mode none\nlistener_threads 2\n"
        f"worker_threads 2\nscheduler_threads 1\n")
    (common / "act_qmaster").write_text(host + "\n")
    # this host resolves to 127.0.0.1, which resolves back to "localhost": one host for SGE
    (common / "host_aliases").write_text(f"{host} localhost\n")
    conf = (DEFAULTS / "default-configuration").read_text()
    for key, value in (("execd_spool_dir", str(root / "execd")), ("min_uid", "0"),
                       ("min_gid", "0"), ("load_report_time", "00:00:02"),
                       ("reporting_params", "accounting=true reporting=false "
                        "flush_time=00:00:01 joblog=false sharelog=00:00:00")):
        conf = "\n".join(f"{key} {value}" if ln.split()[:1] == [key] else ln
                         for ln in conf.splitlines()) + "\n"
    (root / "global.conf").write_text(conf)
    env = {"SGE_ROOT": str(sge_root), "SGE_CELL": CELL, "SGE_QMASTER_PORT": str(free_port()),
           "SGE_EXECD_PORT": str(free_port())}
    full = {**os.environ, **env}
    for args in (["spoolinit", "classic", "libspoolc", f"{spool}/common;{spool}", "init"],
                 ["spooldefaults", "configuration", str(root / "global.conf")],
                 ["spooldefaults", "complexes", str(DEFAULTS / "util/resources/centry")],
                 ["spooldefaults", "usersets", str(DEFAULTS / "util/resources/usersets")],
                 ["spooldefaults", "managers", "root"],
                 ["spooldefaults", "adminhosts", host]):
        subprocess.run([str(SPOOLTOOLS / args[0]), *args[1:]], env=full, check=True,
                       capture_output=True, timeout=60)
    return env


def configure(cluster: SgeCluster) -> None:
    """Exec and submit host, site complexes, the smp parallel environment, all.q with two
    slots (no load thresholds: the shared machine is busy) and a 1 s scheduler interval."""
    root, host = cluster.root, cluster.host
    (root / "host.txt").write_text(
        f"hostname {host}\nload_scaling NONE\ncomplex_values gpu=1\nuser_lists NONE\n"
        "xuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\n"
        "report_variables NONE\n")
    complexes = cluster.run("qconf", "-sc").stdout
    (root / "complexes.txt").write_text(complexes + SITE_COMPLEXES)
    cluster.run("qconf", "-Mc", str(root / "complexes.txt"))
    cluster.run("qconf", "-Ae", str(root / "host.txt"))
    cluster.run("qconf", "-as", host)
    (root / "pe.txt").write_text(
        "pe_name smp\nslots 999\nuser_lists NONE\nxuser_lists NONE\nstart_proc_args NONE\n"
        "stop_proc_args NONE\nallocation_rule $pe_slots\ncontrol_slaves FALSE\n"
        "job_is_first_task TRUE\nurgency_slots min\naccounting_summary FALSE\n"
        "qsort_args NONE\n")
    cluster.run("qconf", "-Ap", str(root / "pe.txt"))
    cluster.edit([f"s/^hostlist .*/hostlist {host}/", "s/^pe_list .*/pe_list smp/",
                  "s/^slots .*/slots 2/", "s/^load_thresholds .*/load_thresholds NONE/",
                  "s|^shell .*|shell /bin/bash|"], "-aq", "all.q")
    cluster.edit(["s/^schedule_interval .*/schedule_interval 0:0:1/"], "-msconf")


def start_sge(root: Path) -> SgeCluster:
    """Write the cell and start sge_qmaster, then sge_execd; on failure stop both again."""
    host = socket.gethostname().split(".")[0]
    env = write_cell(root, host)
    daemons = Daemons()
    cluster = SgeCluster(root, {**env, "EDITOR": str(root / "editor.sh")}, host, daemons)
    denv = {**os.environ, **env, "SGE_ND": "1"}   # SGE_ND: do not daemonize
    try:
        daemons.start("sge_qmaster", ["/usr/sbin/sge_qmaster"], root / "qmaster.out", env=denv)
        wait_until("sge_qmaster", lambda: cluster.run("qconf", "-sh", check=False).returncode
                   == 0, 60, daemons.check_alive)
        configure(cluster)
        daemons.start("sge_execd", ["/usr/sbin/sge_execd"], root / "execd.out", env=denv)
        wait_until("sge_execd to report", cluster.queue_ready, 60, daemons.check_alive)
        return cluster
    except BaseException:
        daemons.stop_all()
        raise


def skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "real Grid Engine needs root (sge_execd runs the jobs); run the tests as root"
    missing = [b for b in BINARIES
               if shutil.which(b) is None and not Path(f"/usr/sbin/{b}").exists()]
    if missing or not (DEBIAN_ROOT / "util").exists():
        return (f"Grid Engine not installed ({', '.join(missing) or DEBIAN_ROOT} missing); "
                "apt-get install gridengine-master gridengine-exec gridengine-client")
    return None


@pytest.fixture(scope="session")
def sge_cluster(tmp_path_factory) -> Iterator[SgeCluster]:
    """A running one-host Grid Engine cell for the whole session (two slots)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    t0 = time.monotonic()
    cluster = start_sge(tmp_path_factory.mktemp("sge"))
    print(f"\n[sge_cluster] SGE 8.1.9 cell up in {time.monotonic() - t0:.1f} s")
    try:
        yield cluster
    finally:
        try:
            cluster.cancel_all()
        finally:
            cluster.daemons.stop_all()
