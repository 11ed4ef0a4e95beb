"""Signing in and out, the session cookie, CSRF on every form, rate limits, roles and languages."""

import pytest
from sqlalchemy import Engine, select

from referrals.domain.enums import Role
from referrals.store.tables import users
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email="rui@contoso.example", language="it")
    add_person(engine, None, Role.PROGRAM_SELLER, email="sam@program.example")
    return tenant


@pytest.fixture
def browser(engine: Engine, world) -> Browser:
    return Browser(pages_app(engine, Clock(), login_rate_limit="5/minute"))


def test_pages_need_a_signed_in_user(browser: Browser):
    assert browser.get("/").headers["location"] == "/signin"
    response = browser.get("/leads?tab=qualified")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=%2Fleads%3Ftab%3Dqualified")


def test_sign_in_with_the_right_password_and_out_again(browser: Browser):
    response = browser.sign_in("ADA@contoso.example")
    assert response.headers["location"] == "/leads"
    cookie = browser.client.cookies.get("referrals_session")
    assert cookie and "ada" not in cookie.lower()  # signed, not readable as plain text
    assert browser.get("/leads").status_code == 200
    assert browser.post("/signout").headers["location"] == "/signin"
    assert browser.get("/leads").status_code == 303


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(browser: Browser):
    browser.get("/signin")
    response = browser.post("/signin", {"email": "ada@contoso.example", "password": "nope"})
    assert response.status_code == 401
    assert "The email or the password is not right." in response.text
    assert 'value="ada@contoso.example"' in response.text  # what was typed is kept
    unknown = browser.post("/signin", {"email": "nobody@contoso.example", "password": "nope"})
    assert unknown.status_code == 401


def test_sign_in_attempts_are_rate_limited(browser: Browser):
    browser.get("/signin")
    statuses = [browser.post("/signin", {"email": "ada@contoso.example", "password": "wrong"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    assert browser.post("/signin", {"email": "ada@contoso.example", "password": "correct horse battery"}
                        ).status_code == 429


def test_a_form_without_its_csrf_token_is_refused(browser: Browser):
    browser.sign_in("ada@contoso.example")
    response = browser.client.post("/signout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert browser.get("/leads").status_code == 200  # still signed in: nothing happened


def test_the_api_accepts_the_session_only_with_the_csrf_header(browser: Browser, engine: Engine, world):
    browser.sign_in("ada@contoso.example")
    lead = factories.ingest(engine, factories.CONTACT_ME, world.partner_id)
    assert browser.get(f"/api/v1/leads/{lead.id}").status_code == 200  # reading needs no token
    assert browser.client.put(f"/api/v1/leads/{lead.id}/favorite").status_code == 403
    accepted = browser.client.put(f"/api/v1/leads/{lead.id}/favorite", headers={"X-CSRF-Token": browser.token})
    assert accepted.status_code == 200, accepted.text


def test_program_staff_land_on_their_pages_and_not_on_leads(browser: Browser):
    response = browser.sign_in("sam@program.example")
    assert response.headers["location"] == "/program/sent"
    assert browser.get("/program/sent").status_code == 200
    assert browser.get("/leads").status_code == 403


def test_partner_users_cannot_open_program_pages(browser: Browser):
    browser.sign_in("ada@contoso.example")
    assert browser.get("/program/send").status_code == 403


def test_language_comes_from_the_user_then_the_browser(browser: Browser, engine: Engine):
    page = browser.get("/signin", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert '<html lang="it">' in page.text and "Accedi" in page.text
    assert '<html lang="en">' in browser.get("/signin", headers={"Accept-Language": "en-GB"}).text
    browser.sign_in("rui@contoso.example")
    assert '<html lang="it">' in browser.get("/leads", headers={"Accept-Language": "en"}).text


def test_switching_language_is_remembered_for_the_user(browser: Browser, engine: Engine):
    browser.sign_in("ada@contoso.example")
    response = browser.post("/language", {"language": "it", "next": "/leads?tab=qualified"})
    assert response.headers["location"] == "/leads?tab=qualified"
    page = browser.get("/leads")
    assert "Lead del marketplace" in page.text and "Esci" in page.text
    with engine.connect() as conn:
        assert conn.execute(select(users.c.language).where(users.c.email == "ada@contoso.example")).scalar() == "it"


def test_redirects_after_forms_stay_on_this_site(browser: Browser):
    browser.sign_in("ada@contoso.example")
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        assert browser.post("/language", {"language": "en", "next": target}).headers["location"] == "/leads"
