"""A throwaway PostgreSQL primary and its streaming replica, on this machine only.

Used by the replica tests and by `make scale-test`: `initdb` into a temporary directory, run as the `postgres`
user when we are root (the server refuses root), on free loopback ports, trust authentication on 127.0.0.1 only,
with a replication entry; the replica is a `pg_basebackup -R` of the primary (streaming, a hot standby).

    with PgCluster.start(replica=True) as cluster:
        cluster.primary_url   # postgresql://postgres@127.0.0.1:PORT/referrals
        cluster.replica_url   # the same database on the standby
        cluster.stop_replica(); cluster.start_replica()

Nothing here touches the machine's own PostgreSQL on 5432.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DATABASE = "referrals"


def bin_dir() -> Path:
    """The server's programs: pg_config's BINDIR, else Debian's newest /usr/lib/postgresql/N/bin."""
    if pg_config := shutil.which("pg_config"):
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
        if (found / "initdb").exists():
            return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("no PostgreSQL server programs (initdb) on this machine: apt-get install postgresql")
    return versions[-1].parent


def available() -> str | None:
    """None when a throwaway cluster can be made here, else why not."""
    try:
        bin_dir()
    except RuntimeError as error:
        return str(error)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(*args: str | Path) -> None:
    result = subprocess.run([*_as_server_user(), *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed: {result.stderr.strip() or result.stdout.strip()}")


@dataclass
class Server:
    data: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        _run(bin_dir() / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
             "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            _run(bin_dir() / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")


@dataclass
class PgCluster:
    root: Path
    primary: Server
    replica: Server | None = None
    _owned: list[Path] = field(default_factory=list)

    @property
    def primary_url(self) -> str:
        return self.primary.url

    @property
    def replica_url(self) -> str:
        if self.replica is None:
            raise RuntimeError("this cluster was started without a replica")
        return self.replica.url

    @classmethod
    def start(cls, *, replica: bool = True, root: Path | None = None, settings: dict[str, str] | None = None
              ) -> PgCluster:
        root = Path(root or tempfile.mkdtemp(prefix="referrals-pg-"))  # its parents must let postgres in
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # the server user walks into it
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        primary = Server(root / "primary", free_port(), root / "primary.log")
        cluster = cls(root, primary)
        try:
            cluster._init_primary(settings or {})
            primary.start()
            _run(bin_dir() / "createdb", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres", DATABASE)
            if replica:
                cluster.add_replica()
        except BaseException:
            cluster.close()
            raise
        return cluster

    def _init_primary(self, settings: dict[str, str]) -> None:
        _run(bin_dir() / "initdb", "-D", self.primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8")
        conf = {"wal_level": "replica", "max_wal_senders": "10", "hot_standby": "on", "fsync": "off",
                "synchronous_commit": "off", "full_page_writes": "off", "wal_keep_size": "512MB",
                "shared_buffers": "128MB", "max_connections": "200", **settings}
        with open(self.primary.data / "postgresql.conf", "a") as out:
            out.writelines(f"{key} = '{value}'\n" for key, value in conf.items())
        with open(self.primary.data / "pg_hba.conf", "w") as out:
            out.write("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                      "local replication all trust\nhost replication all 127.0.0.1/32 trust\n")

    def add_replica(self) -> Server:
        replica = Server(self.root / "replica", free_port(), self.root / "replica.log")
        _run(bin_dir() / "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary.port, "-U", "postgres",
             "-D", replica.data, "-R", "-X", "stream", "-c", "fast")
        replica.start()
        self.replica = replica
        return replica

    def stop_replica(self) -> None:
        if self.replica is not None:
            self.replica.stop("immediate")

    def start_replica(self) -> None:
        if self.replica is not None:
            self.replica.start()

    def wait_for_replica(self, timeout: float = 30.0) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        import psycopg

        deadline = time.monotonic() + timeout
        with psycopg.connect(self.primary_url.replace(DATABASE, "postgres"), autocommit=True) as primary:
            target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.replica_url, autocommit=True) as replica:
                    done = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()
                    if done and done[0]:
                        return
            except psycopg.OperationalError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the replica did not replay up to {target} within {timeout} s")

    def close(self) -> None:
        for server in (self.replica, self.primary):
            if server is not None:
                with contextlib.suppress(RuntimeError):
                    server.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
