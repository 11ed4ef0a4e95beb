"""The directory's Contact me limit per client address: a forged X-Forwarded-For does not reset it, a trusted
proxy's does name the client, and it holds across processes sharing Redis; on both databases."""

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.store.db import make_engine
from referrals.store.migrate import upgrade
from referrals.web.app import create_app
from tests.e2e.conftest import MAX_BODY, Partner, lead_count, partner, user
from tests.e2e.limits_support import REDIS_URL, as_served, redis_prefix_fixture  # noqa: F401
from tests.e2e.served import environment, serving
from tests.e2e.test_api_directory import contact_body, publish


def make_app(engine: Engine, **settings):
    return create_app(Settings(database_url="sqlite://", max_body_bytes=MAX_BODY, **settings), engine=engine)


def publish_profile(engine: Engine, partner: Partner) -> Partner:
    with TestClient(make_app(engine)) as client:
        publish(client, user(engine, partner.id, Role.BUSINESS_PROFILE_ADMIN), partner)
    return partner


@pytest.fixture
def published(engine: Engine, partner_a: Partner) -> Partner:
    return publish_profile(engine, partner_a)


def contact(client: TestClient, partner: Partner, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(f"/api/v1/directory/{partner.id}/contact", json=contact_body(partner.tenant.location_id),
                       headers=headers).status_code


def test_rotating_x_forwarded_for_from_an_untrusted_client_does_not_reset_the_contact_limit(
        engine: Engine, published, monkeypatch, tmp_path):
    served = as_served(make_app(engine), monkeypatch, tmp_path)  # no trusted proxy, loopback included
    client = TestClient(served, client=("127.0.0.1", 50000))

    answers = [contact(client, published, forwarded=f"10.9.8.{n}") for n in range(8)]

    assert answers == [201] * 5 + [429] * 3
    assert lead_count(engine) == 5


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_contact_limit(
        engine: Engine, published, monkeypatch, tmp_path):
    served = as_served(make_app(engine, trusted_proxies="10.0.0.0/8"), monkeypatch, tmp_path)
    proxy = TestClient(served, client=("10.0.0.1", 50000))

    apart = [contact(proxy, published, forwarded=f"198.51.100.{n}, 10.2.3.4") for n in range(7)]
    forged = [contact(proxy, published, forwarded=f"6.6.6.{n}, 203.0.113.9") for n in range(6)]

    assert apart == [201] * 7
    assert forged == [201] * 5 + [429]


def test_ipv6_clients_are_counted_by_their_64_bit_prefix(engine: Engine, published):
    app = make_app(engine)

    answers = [contact(TestClient(app, client=(f"2001:db8:1:2::{n:x}", 50000)), published) for n in range(6)]

    assert answers == [201] * 5 + [429]


def test_the_contact_limit_holds_across_two_processes_sharing_redis(engine: Engine, published, redis_prefix):
    shared = {"redis_url": REDIS_URL, "rate_limit_prefix": redis_prefix}
    first = TestClient(make_app(engine, **shared), client=("203.0.113.7", 50000))
    second = TestClient(make_app(engine, **shared), client=("203.0.113.7", 50000))

    answers = [contact(first, published) for _ in range(3)] + [contact(second, published) for _ in range(3)]
    refused = second.post(f"/api/v1/directory/{published.id}/contact",
                          json=contact_body(published.tenant.location_id))

    assert answers == [201] * 5 + [429]
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60


def test_referrals_serve_does_not_believe_x_forwarded_for_from_loopback(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'served.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    contoso = publish_profile(engine, partner(engine, "Contoso Consulting"))
    engine.dispose()
    url = f"/api/v1/directory/{contoso.id}/contact"

    with serving(environment(db_url, REFERRALS_SECRET_KEY="test-secret-key-0123456789"), tmp_path / "logs") as up:
        answers = [httpx.post(up.url + url, json=contact_body(contoso.tenant.location_id), timeout=10,
                              headers={"X-Forwarded-For": f"10.9.8.{n}"}).status_code for n in range(7)]

    assert answers == [201] * 5 + [429] * 2
