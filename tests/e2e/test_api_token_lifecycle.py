"""API tokens that can be ended: revoked or expired tokens get 401 on their next request, last use is recorded
at most once a minute, and a person manages their own tokens on /settings/tokens. On both databases."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from referrals.domain.enums import Role
from referrals.services.auth import hash_token
from referrals.services.tokens import create_token_for, revoke_token
from referrals.store.db import reading
from referrals.store.tables import api_tokens
from tests import factories
from tests.e2e.conftest import Clock, is_problem
from tests.e2e.pages_support import Browser, add_person, pages_app

ADA = "ada@contoso.example"
BOB = "bob@contoso.example"


@pytest.fixture
def people(engine: Engine) -> None:
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email=ADA)
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email=BOB)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def last_used(engine: Engine, token: str):
    with reading(engine) as conn:
        return conn.execute(select(api_tokens.c.last_used_at).where(api_tokens.c.token_hash == hash_token(token))
                            ).scalar_one()


def test_a_revoked_token_gets_401_on_its_next_request(engine: Engine, client, clock: Clock, people):
    token = create_token_for(engine, ADA, name="crm sync", now=clock.now).token
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    revoke_token(engine, token[:16], now=clock.now)
    body = is_problem(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthenticated")
    assert "revoked" in body["detail"]


def test_an_expired_token_gets_401(engine: Engine, client, clock: Clock, people):
    created = create_token_for(engine, ADA, now=clock.now, expires_in_days=30)
    assert created.expires_at == clock.now + timedelta(days=30)
    clock.now += timedelta(days=30) - timedelta(seconds=1)
    assert client.get("/api/v1/me", headers=bearer(created.token)).status_code == 200
    clock.now += timedelta(seconds=1)
    is_problem(client.get("/api/v1/me", headers=bearer(created.token)), 401, "unauthenticated")


def test_last_use_is_recorded_at_most_once_a_minute(engine: Engine, client, clock: Clock, people):
    token = create_token_for(engine, ADA, now=clock.now).token
    assert last_used(engine, token) is None
    first = clock.now
    client.get("/api/v1/me", headers=bearer(token))
    assert last_used(engine, token) == first
    clock.now += timedelta(seconds=59)
    client.get("/api/v1/me", headers=bearer(token))
    assert last_used(engine, token) == first  # not written again within the minute
    clock.now += timedelta(seconds=1)
    client.get("/api/v1/me", headers=bearer(token))
    assert last_used(engine, token) == clock.now


def test_a_token_keeps_its_first_sixteen_characters_as_its_prefix(engine: Engine, clock: Clock, people):
    created = create_token_for(engine, ADA, now=clock.now)
    assert created.prefix == created.token[:16] and created.prefix.startswith("rfl_")
    with reading(engine) as conn:
        row = conn.execute(select(api_tokens)).one()
    assert row.prefix == created.prefix and row.token_hash == hash_token(created.token)
    assert created.token not in [str(value) for value in row]


# -- the page --------------------------------------------------------------------------------------------


@pytest.fixture
def browser(engine: Engine, clock: Clock, people) -> Browser:
    browser = Browser(pages_app(engine, clock))
    browser.enter_as(engine, ADA)
    return browser


def test_a_person_creates_a_named_token_shown_once_and_it_works(browser: Browser, client, clock: Clock):
    page = browser.get("/settings/tokens")
    assert page.status_code == 200 and "You have no API tokens." in page.text
    created = browser.post("/settings/tokens", {"name": "Spreadsheet", "expires_in_days": "30"})
    assert created.status_code == 201
    token = re.search(r'data-testid="new-token".*?<code[^>]*>(rfl_[^<]+)</code>', created.text, re.S).group(1)
    assert client.get("/api/v1/me", headers=bearer(token)).json()["email"] == ADA
    listed = browser.get("/settings/tokens").text
    assert "Spreadsheet" in listed and token[:16] in listed and token not in listed  # never shown again
    assert browser.get("/settings/tokens").text.count('data-state="active"') == 1


def test_a_person_revokes_their_own_token_and_it_stops_working(browser: Browser, engine: Engine, client,
                                                                clock: Clock):
    token = create_token_for(engine, ADA, name="old script", now=clock.now)
    response = browser.post(f"/settings/tokens/{token.id}/revoke")
    assert response.headers["location"] == "/settings/tokens"
    assert 'data-state="revoked"' in browser.get("/settings/tokens").text
    assert client.get("/api/v1/me", headers=bearer(token.token)).status_code == 401


def test_nobody_revokes_or_sees_another_persons_token(browser: Browser, engine: Engine, client, clock: Clock):
    bobs = create_token_for(engine, BOB, name="bob's", now=clock.now)
    assert "bob&#39;s" not in browser.get("/settings/tokens").text
    assert browser.post(f"/settings/tokens/{bobs.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(bobs.token)).status_code == 200


def test_a_token_needs_a_name(browser: Browser):
    response = browser.post("/settings/tokens", {"name": " ", "expires_in_days": ""})
    assert response.status_code == 422 and "Enter the name." in response.text
    assert "You have no API tokens." in response.text
