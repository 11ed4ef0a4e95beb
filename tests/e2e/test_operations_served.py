"""Metrics, readiness and logs of `referrals serve` as an operator runs it, over real HTTP: two servers sharing a
metrics directory each answer the sum of both; /readyz fails while the database cannot be reached (a PostgreSQL
port nobody listens on, a database renamed away) and recovers; with REFERRALS_LOG_FORMAT=json every log line is a
JSON object carrying the request id the response returned, secrets still redacted."""

import json
import os
import secrets

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from referrals.store.db import normalise_url
from tests.conftest import POSTGRES_URL_ENV, skip_missing_backend
from tests.e2e.served import environment, referrals, serving
from tests.metrics_support import value
from tests.smtp import free_port

SECRET = "operations-test-key-0123456789abcdef"
LEAD_401 = {"method": "GET", "route": "/api/v1/leads/{lead_id}", "status": "401"}


def test_two_servers_sharing_a_metrics_directory_each_answer_the_sum_of_both(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'referrals.db'}", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    referrals("migrate", env=env)

    with serving(env, tmp_path / "logs") as first, serving(env, tmp_path / "logs") as second:
        for server, times in ((first, 3), (second, 2)):
            for n in range(times):
                assert httpx.get(f"{server.url}/api/v1/leads/lead-{n}").status_code == 401
        scrapes = [httpx.get(f"{server.url}/metrics").text for server in (first, second)]

    for scrape in scrapes:
        assert value(scrape, "referrals_http_requests_total", **LEAD_401) == 5
        assert value(scrape, "referrals_http_request_duration_seconds_count", **LEAD_401) == 5
        assert value(scrape, "referrals_metrics_source_up", source="database") == 1
    assert len(list((tmp_path / "metrics").glob("counter_*.db"))) == 2  # one file of counts a process


def test_readyz_fails_when_the_postgresql_server_cannot_be_reached(tmp_path):
    env = environment(f"postgresql://postgres@127.0.0.1:{free_port()}/referrals", REFERRALS_SECRET_KEY=SECRET)
    with serving(env, tmp_path / "logs") as server:
        ready = httpx.get(f"{server.url}/readyz", timeout=10)
        alive = httpx.get(f"{server.url}/healthz", timeout=10)
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "checks": {"database": "unreachable"}, "failed": ["database"]}
    assert alive.status_code == 200 and alive.json()["status"] == "ok"


def test_readyz_fails_while_the_postgresql_database_is_renamed_away_and_recovers(tmp_path):
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        skip_missing_backend("postgres", f"set {POSTGRES_URL_ENV}")
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    name = f"referrals_ready_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    env = environment(database_url, REFERRALS_SECRET_KEY=SECRET)
    try:
        referrals("migrate", env=env)
        with serving(env, tmp_path / "logs") as server:
            assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
            _rename(admin, name, f"{name}_away")
            away = httpx.get(f"{server.url}/readyz", timeout=10)
            _rename(admin, f"{name}_away", name)
            back = httpx.get(f"{server.url}/readyz", timeout=10)
        assert away.status_code == 503 and away.json()["failed"] == ["database"]
        assert back.status_code == 200 and back.json()["checks"] == {"database": "ok"}
    finally:
        with admin.connect() as conn:
            for dropped in (name, f"{name}_away"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)'))
        admin.dispose()


def _rename(admin, old: str, new: str) -> None:
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                      {"name": old})
        conn.execute(text(f'ALTER DATABASE "{old}" RENAME TO "{new}"'))


def test_json_logs_carry_the_request_id_the_response_returned_and_keep_secrets_out(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'referrals.db'}", REFERRALS_LOG_FORMAT="json",
                      REFERRALS_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nobody there: /readyz says so
    referrals("migrate", env=env)
    with serving(env, tmp_path / "logs") as server:
        ready = httpx.get(f"{server.url}/readyz", headers={"X-Request-Id": "probe-42"}, timeout=10)
        inbound = httpx.post(f"{server.url}/inbound/marketplace/ik_S3cretInboundKey99", json={}, timeout=10)
    assert ready.status_code == 503 and ready.json()["failed"] == ["redis"]
    assert ready.headers["x-request-id"] == "probe-42"
    generated = inbound.headers["x-request-id"]

    raw = [line for line in server.logs().splitlines() if line.strip()]
    records = [json.loads(line) for line in raw]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    probe = [record for record in records if record.get("request_id") == "probe-42"]
    assert {record["logger"] for record in probe} == {"referrals.readiness", "uvicorn.access"}
    [warning] = [record for record in probe if record["logger"] == "referrals.readiness"]
    assert warning["level"] == "WARNING" and "redis" in warning["message"]
    by_logger = {record["logger"]: record for record in records if record.get("request_id") == generated}
    assert set(by_logger) == {"uvicorn.access", "referrals.web.ratelimit"}  # the limit's Redis is not there either
    access = by_logger["uvicorn.access"]
    assert access["method"] == "POST" and access["status"] == inbound.status_code
    assert access["path"] == "/inbound/marketplace/[redacted]"
    assert "S3cretInboundKey99" not in server.logs()


def test_serve_refuses_an_unknown_log_format_and_a_metrics_directory_it_cannot_make(tmp_path):
    url = f"sqlite:///{tmp_path / 'referrals.db'}"
    port = str(free_port())
    bad_format = referrals("serve", "--port", port, "--no-worker", check=False, timeout=60,
                           env=environment(url, REFERRALS_LOG_FORMAT="xml"))
    assert bad_format.returncode == 2
    [line] = bad_format.stderr.strip().splitlines()
    assert "REFERRALS_LOG_FORMAT" in line and "'text' or 'json'" in line
    (tmp_path / "a-file").write_text("")
    bad_dir = referrals("serve", "--port", port, "--no-worker", check=False, timeout=60,
                        env=environment(url, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "a-file" / "metrics")))
    assert bad_dir.returncode == 2
    assert "cannot create the metrics directory" in bad_dir.stderr
