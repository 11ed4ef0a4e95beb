"""Several processes: `referrals serve --processes 2` answers from two web processes on one port, keeps answering
when one is killed, and runs one job consumer; two `referrals worker` processes share one Redis queue and send
every email of one outbox exactly once."""

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from huey import RedisHuey
from sqlalchemy import select, update

from referrals.adapters.smtp import message_id_for
from referrals.domain.enums import Role
from referrals.store.db import reading, writing
from referrals.store.tables import outbox
from tests import factories
from tests.conftest import skip_missing_backend
from tests.e2e import replica_support as support
from tests.e2e.served import REFERRALS, Served, _wait_until_up, environment, eventually, referrals
from tests.proctree import answered_by, open_files, web_processes
from tests.smtp import SmtpServer, free_port

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@contextmanager
def serving_processes(env: dict[str, str], logs, *args: str) -> Iterator[tuple[Served, subprocess.Popen, int]]:
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    served = Served(f"http://127.0.0.1:{port}", logs / "serve.out", logs / "serve.err")
    with served.stdout.open("w") as out, served.stderr.open("w") as err:
        process = subprocess.Popen([REFERRALS, "serve", "--port", str(port), *args], env=env, stdout=out, stderr=err)
        try:
            _wait_until_up(served, process)
            yield served, process, port
        finally:
            process.terminate()
            process.wait(30)


def test_serve_with_two_processes_answers_from_both_survives_losing_one_and_emails_once(tmp_path, smtp):
    program = support.set_up_program(f"sqlite:///{tmp_path / 'referrals.db'}")
    env = {**program.env, "REFERRALS_SMTP_HOST": "127.0.0.1", "REFERRALS_SMTP_PORT": str(smtp.port)}
    with serving_processes(env, tmp_path / "logs", "--processes", "2") as (served, server, port):
        assert eventually(lambda: len(web_processes(server.pid)) == 2, seconds=30)
        first, second = web_processes(server.pid)
        for serving, paused in ((first, second), (second, first)):  # each one alone must answer
            os.kill(paused, signal.SIGSTOP)
            try:
                assert answered_by(port, [first, second]) == (200, serving)
            finally:
                os.kill(paused, signal.SIGCONT)

        # the job consumer polls its queue (referrals-jobs.db) in the parent alone; a web process opens it only
        # to queue a job, and nothing has been written yet
        queue = str(tmp_path / "referrals-jobs.db")
        assert queue in open_files(server.pid)
        assert all(queue not in open_files(pid) for pid in (first, second))
        support.create_lead(served.url, program, "Two Processes Srl")  # its email: by the one consumer
        assert eventually(lambda: len(smtp.recorder.messages) == 1, seconds=30)

        os.kill(first, signal.SIGKILL)
        assert [answered_by(port, [second])[0] for _ in range(10)] == [200] * 10
        # a new one replaced it
        assert eventually(lambda: len(set(web_processes(server.pid)) - {first}) == 2, seconds=30)
        assert httpx.get(f"{served.url}/healthz", timeout=5).status_code == 200
    assert web_processes(server.pid) == []
    [message] = smtp.recorder.messages
    assert "Two Processes Srl" in message["Subject"]


def test_serve_refuses_several_processes_on_an_in_memory_database(tmp_path):
    result = referrals("serve", "--processes", "2", "--port", str(free_port()), "--no-worker",
                       env=environment("sqlite://"), check=False, timeout=30)
    assert result.returncode == 2
    assert "--processes needs a database file or PostgreSQL" in result.stderr


def test_serve_refuses_a_read_replica_that_is_not_postgresql(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'referrals.db'}", REFERRALS_DATABASE_READ_URL="sqlite:///other.db")
    result = referrals("serve", "--port", str(free_port()), "--no-worker", env=env, check=False, timeout=30)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: REFERRALS_DATABASE_READ_URL: the read replica is a PostgreSQL database")


@pytest.fixture
def redis_queue():
    """A queue name of this test's own in the machine's Redis, emptied afterwards."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        skip_missing_backend("redis", f"no Redis at {REDIS_URL}: {error}")
    name = f"referrals-test-{secrets.token_hex(6)}"
    yield name
    RedisHuey(name, url=REDIS_URL).storage.flush_all()


def test_two_worker_processes_share_the_redis_queue_and_send_every_email_once(engine, tenant, smtp, redis_queue,
                                                                              tmp_path):
    # The workers run their periodic sweep by the real clock: leads received now have no deadline passed, so the
    # sweep sends nothing of its own (leads received at the fixture's date in March expired in the run).
    now = datetime.now(UTC)
    for _ in range(4):
        factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_ADMIN)
    for index in range(8):
        factories.ingest(engine, factories.SALES, tenant.partner_id, now=now, external_id=f"w-{index}")
    with writing(engine) as conn:  # due by the real clock the workers read
        conn.execute(update(outbox).values(next_attempt_at=now - timedelta(days=1)))
    with reading(engine) as conn:
        keys = set(conn.execute(select(outbox.c.idempotency_key)).scalars())
    assert len(keys) == 40
    smtp.recorder.delay = 0.05  # slow enough that both workers are busy at once
    env = environment(engine.url.render_as_string(hide_password=False), REFERRALS_REDIS_URL=REDIS_URL,
                      REFERRALS_JOBS_QUEUE=redis_queue, REFERRALS_SMTP_HOST="127.0.0.1",
                      REFERRALS_SMTP_PORT=str(smtp.port))
    logs = [tmp_path / f"worker-{n}.log" for n in (1, 2)]
    workers = [subprocess.Popen([REFERRALS, "worker", "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                                stderr=log.open("w")) for log in logs]
    try:
        assert eventually(lambda: all("consumer started" in log.read_text() for log in logs), seconds=30)
        subprocess.run([sys.executable, "-c", "from referrals.jobs import kick_outbox\n"
                        "for _ in range(8): kick_outbox()"], env=env, check=True, timeout=60)
        assert eventually(lambda: len(smtp.recorder.messages) >= 40, seconds=60)
        time.sleep(1)  # a second drain sending something twice would do it now
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)

    ids = smtp.recorder.message_ids
    assert sorted(i.strip("<>").rsplit("@", 1)[0] for i in ids) == sorted(message_id_for(k) for k in keys)
    assert all("Executing referrals.jobs.kick_outbox" in log.read_text() for log in logs)  # both took work

