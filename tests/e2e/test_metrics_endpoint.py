"""`/metrics`, `/readyz`, `/healthz` and the request id, in process on both databases: requests counted by route
template (never the path sent), the backlogs read at scrape time, the token (or this machine only without one),
readiness naming what failed, liveness needing nothing, the caller's request id kept only when it is sane."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from referrals.config import Settings
from referrals.store.db import make_engine
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.e2e.conftest import Clock
from tests.metrics_support import value
from tests.smtp import free_port

LOCAL = ("127.0.0.1", 50000)
ELSEWHERE = ("10.1.2.3", 50000)


def make_client(engine, tmp_path, clock: Clock | None = None, *, client=LOCAL, **settings) -> TestClient:
    app = create_app(Settings(database_url="sqlite://", jobs_path=str(tmp_path / "jobs.db"), **settings),
                     engine=engine)
    if clock is not None:
        app.dependency_overrides[get_now] = lambda: clock.now
    return TestClient(app, client=client)


@pytest.fixture
def local(engine, tmp_path, clock):
    with make_client(engine, tmp_path, clock) as test_client:
        yield test_client


def test_requests_are_counted_by_route_template_never_by_the_path_sent(local, partner_a):
    route = {"method": "GET", "route": "/api/v1/leads/{lead_id}", "status": "404"}
    before = value(local.get("/metrics").text, "referrals_http_requests_total", **route)
    for lead_id in ("01-first-unknown", "02-second-unknown"):
        assert local.get(f"/api/v1/leads/{lead_id}", headers=partner_a.admin.headers).status_code == 404
    local.get("/no/such/page-7f3a")
    text = local.get("/metrics").text
    assert value(text, "referrals_http_requests_total", **route) - before == 2
    assert value(text, "referrals_http_request_duration_seconds_count", **route) - before == 2
    assert value(text, "referrals_http_requests_total", method="GET", route="unmatched", status="404") >= 1
    for sent in ("first-unknown", "second-unknown", "page-7f3a"):
        assert sent not in text
    action = {"method": "POST", "route": "/api/v1/leads/{lead_id}/accept", "status": "401"}
    local.post("/api/v1/leads/some-lead/accept", json={})  # a route under an included router's own prefix
    assert value(local.get("/metrics").text, "referrals_http_requests_total", **action) >= 1


def test_metrics_reads_the_outbox_backlog_and_the_job_queue_at_scrape_time(local, clock, partner_a):
    factories.ingest(local.app.state.engine, factories.CONTACT_ME, partner_a.id, now=factories.NOW)
    clock.now = factories.NOW + timedelta(minutes=30)
    text = local.get("/metrics").text
    assert value(text, "referrals_outbox_pending") == 1
    assert value(text, "referrals_outbox_oldest_pending_age_seconds") == 1800
    assert value(text, "referrals_jobs_pending") == 0
    assert value(text, "referrals_metrics_source_up", source="database") == 1
    assert value(text, "referrals_metrics_source_up", source="jobs") == 1
    for name in ("referrals_leads_created_total", "referrals_leads_expired_total", "referrals_emails_sent_total",
                 "referrals_emails_failed_total", "referrals_webhooks_sent_total", "referrals_webhooks_failed_total"):
        assert re.search(rf"^{name} ", text, re.MULTILINE), name


def test_with_a_token_metrics_asks_for_it_as_a_bearer_token(engine, tmp_path):
    with make_client(engine, tmp_path, client=ELSEWHERE, metrics_token="s3cret-scrape") as elsewhere:
        missing = elsewhere.get("/metrics")
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        assert elsewhere.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert elsewhere.get("/metrics", headers={"Authorization": "Basic s3cret-scrape"}).status_code == 401
        good = elsewhere.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert good.status_code == 200 and good.headers["content-type"].startswith("text/plain; version=0.0.4")


def test_without_a_token_metrics_answers_this_machine_only_and_not_through_a_proxy(engine, tmp_path):
    with make_client(engine, tmp_path, client=ELSEWHERE) as elsewhere:
        refused = elsewhere.get("/metrics")
        assert refused.status_code == 403 and "REFERRALS_METRICS_TOKEN" in refused.json()["detail"]
    with make_client(engine, tmp_path) as local:
        assert local.get("/metrics").status_code == 200
        assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


def test_readyz_answers_ok_when_the_database_answers(local):
    ready = local.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok"}, "failed": []}


def test_readyz_names_what_failed_and_healthz_stays_up_without_the_database(engine, tmp_path):
    gone = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/referrals")
    app = create_app(Settings(database_url="sqlite://", redis_url=f"redis://127.0.0.1:{free_port()}/0",
                              jobs_path=str(tmp_path / "jobs.db")), engine=gone)
    with TestClient(app, client=LOCAL) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "checks": {"database": "unreachable", "redis": "unreachable"},
                                "failed": ["database", "redis"]}
        assert client.get("/healthz").status_code == 200
        scrape = client.get("/metrics")  # the counters still answer; the backlog says it could not be read
        assert scrape.status_code == 200
        assert value(scrape.text, "referrals_metrics_source_up", source="database") == 0
        assert "referrals_outbox_pending" not in scrape.text


def test_a_sane_request_id_is_kept_and_any_other_replaced(local):
    assert local.get("/healthz", headers={"X-Request-Id": "lb-7f3a.01:x_y-z"}).headers["x-request-id"] == \
        "lb-7f3a.01:x_y-z"
    for insane in ("a" * 129, "two words", "<script>", "line\\nbreak"):
        answered = local.get("/healthz", headers={"X-Request-Id": insane}).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), insane
    first, second = (local.get("/readyz").headers["x-request-id"] for _ in range(2))
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert re.fullmatch(r"[0-9a-f]{32}", local.get("/nowhere").headers["x-request-id"])  # errors carry it too
