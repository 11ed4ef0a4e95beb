"""The scale test's stage: the data, the processes, and the faults done to them.

Everything runs on this machine only: a throwaway PostgreSQL primary and replica (bench/pgcluster.py), a Redis
database of its own (emptied first), the SMTP sink (bench/scale/sink.py), `referrals serve --processes N` and
several `referrals worker` processes.
"""

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from bench.generate import BenchSet
from bench.pgcluster import free_port
from sqlalchemy import text

from referrals.domain.enums import Role
from referrals.services.directory_admin import add_user, create_token
from referrals.services.ingest import LeadDraft, ingest_many
from referrals.store.db import make_engine
from referrals.synthetic import sample_lead

ROOT = Path(__file__).resolve().parents[2]
REFERRALS = ROOT / ".venv" / "bin" / "referrals"
POOL = 8_000  # fresh received leads of the big partner, for the accepts and declines


METRICS_TOKEN = "scale-test-metrics-token"  # noqa: S105 - a throwaway test's


def env_for(primary: str, replica: str, redis: str, smtp_port: int, base_url: str, metrics_dir: Path
            ) -> dict[str, str]:
    """Every process of the test: one database pair, one Redis queue, one SMTP server, one metrics directory (the
    web processes and the workers count into it, and /metrics sums them)."""
    return {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "REFERRALS_METRICS_TOKEN": METRICS_TOKEN,
            "REFERRALS_DATABASE_URL": primary, "REFERRALS_DATABASE_READ_URL": replica,
            "REFERRALS_REDIS_URL": redis, "REFERRALS_SMTP_HOST": "127.0.0.1", "REFERRALS_SMTP_PORT": str(smtp_port),
            "REFERRALS_DIGEST_THRESHOLD": "1000000",  # every new-lead email individual
            "REFERRALS_SECRET_KEY": "scale-test-secret-key-not-for-production-0123456789",
            "REFERRALS_BASE_URL": base_url, "REFERRALS_LOG_FORMAT": "text", "REFERRALS_JOBS_QUEUE": "scale-test",
            "PYTHONPATH": str(ROOT)}


def prepare(url: str, bench: BenchSet, run_id: str) -> dict:
    """Tokens made now, the medium partner's admin, the pool of fresh received leads; the load's plan."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    big_token = create_token(engine, bench.big_admin_email, name="scale", now=now)
    program_token = create_token(engine, bench.program_email, name="scale", now=now)
    medium_email = "admin@medium.bench.example"
    add_user(engine, medium_email, partner_id=bench.medium_partner, roles=[Role.REFERRALS_ADMIN], password=None,
             name="Medium partner admin", now=now)
    medium_token = create_token(engine, medium_email, name="scale", now=now)
    rng = random.Random(5)
    drafts = []
    for n in range(POOL):
        origin, customer, message = sample_lead(rng, now, actionable_only=True)
        drafts.append(LeadDraft(partner_id=bench.big_partner, origin=origin, customer=customer, message=message,
                                customer_requested_contact=False,
                                received_at=now - timedelta(minutes=5, seconds=n)))
    received = [result.lead.id for result in ingest_many(engine, drafts, now=now) if result.lead is not None]
    with engine.connect() as conn:
        details = conn.execute(text("SELECT id FROM leads WHERE partner_id = :p ORDER BY id LIMIT 2000"),
                               {"p": bench.big_partner}).scalars().all()
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {"partner_token": big_token, "partner_user_id": bench.big_admin_id, "export_token": medium_token,
            "program_token": program_token, "partner_id": bench.big_partner, "detail_ids": list(details),
            "received_ids": received, "term": bench.customer_term, "run_id": run_id}


@dataclass
class Processes:
    """The web server (one supervisor, N children), the workers and the SMTP sink."""

    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    smtp_port: int = 0
    web: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)
    sink: subprocess.Popen | None = None
    events: list[tuple[float, str]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, *args: str | Path) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "a")  # noqa: SIM115 - the child's for its life
        return subprocess.Popen([str(a) for a in args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                cwd=self.logs, start_new_session=True)

    def start_sink(self) -> None:
        self.sink = self._spawn("smtp", sys.executable, "-m", "bench.scale.sink", "--port", str(self.smtp_port),
                                "--log", self.logs / "messages.jsonl")
        _wait_port(self.smtp_port)

    def start_web(self, processes: int) -> None:
        several = ("--processes", str(processes)) if processes > 1 else ()
        self.web = self._spawn("web", REFERRALS, "serve", *several, "--no-worker", "--port", str(self.port),
                               "--db", self.env["REFERRALS_DATABASE_URL"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the web server did not start: see {self.logs / 'web.log'}")

    def start_worker(self, threads: int) -> None:
        self.workers.append(self._spawn(f"worker-{len(self.workers)}", REFERRALS, "worker", "--workers",
                                        str(threads), "--db", self.env["REFERRALS_DATABASE_URL"]))

    def note(self, what: str) -> None:
        self.events.append((time.time(), what))
        print(f"  {datetime.now(UTC):%H:%M:%S} {what}", flush=True)

    def kill_worker(self) -> None:
        victim = self.workers[0]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        self.note(f"SIGKILL worker {victim.pid}")

    def kill_web_child(self) -> None:
        children = [pid for pid in _children(self.web.pid) if _is_web_worker(pid)]
        if not children:
            raise RuntimeError("the web server has no child processes to kill: is --processes above 1?")
        victim = children[0]
        os.kill(victim, signal.SIGKILL)
        self.note(f"SIGKILL web process {victim} (of {len(children)})")

    def stop_sink(self) -> None:
        self.sink.terminate()
        self.sink.wait()
        self.note("SMTP server stopped")

    def restart_sink(self) -> None:
        self.start_sink()
        self.note("SMTP server back")

    def close(self) -> None:
        for proc in [self.web, *self.workers, self.sink]:
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(proc.pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def _is_web_worker(pid: int) -> bool:
    """A web process the server spawned, not multiprocessing's resource tracker."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"resource_tracker" not in command


def _wait_port(port: int, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")
