"""Sessions that end: signing out, "sign out everywhere", a password change, deactivation, and expiry after
idle hours and after the absolute maximum, judged by the app's clock. On both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update

from referrals.domain.enums import Role
from referrals.store.db import reading, writing
from referrals.store.tables import sessions, users
from tests import factories
from tests.e2e.pages_support import PASSWORD, Browser, Clock, add_person, pages_app

ADA = "ada@contoso.example"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: Engine, clock: Clock):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email=ADA)
    return pages_app(engine, clock)


def signed_in(app, email: str = ADA) -> Browser:
    browser = Browser(app)
    browser.sign_in(email)
    return browser


def with_cookie_of(app, other: Browser) -> Browser:
    """A second browser holding a copy of another's session cookie (and its CSRF token)."""
    copy = Browser(app)
    copy.client.cookies.set("referrals_session", other.client.cookies.get("referrals_session"))
    copy.token = other.token
    return copy


def is_sent_to_signin(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_a_cookie_copied_before_sign_out_is_worthless_after_it(app):
    # given a signed-in browser whose cookie was copied
    browser = signed_in(app)
    thief = with_cookie_of(app, browser)
    assert thief.get("/leads").status_code == 200
    assert thief.client.get("/api/v1/me").status_code == 200
    # when the browser signs out
    assert browser.post("/signout").headers["location"] == "/signin"
    # then the copy gets the sign-in page, and the API answers 401 to it
    assert is_sent_to_signin(thief.get("/leads"))
    assert thief.client.get("/api/v1/me").status_code == 401
    assert is_sent_to_signin(thief.post("/settings/sign-out-everywhere"))  # a form, too: to sign-in, not 403


def test_signing_in_again_does_not_revive_the_old_session(app):
    browser = signed_in(app)
    old = with_cookie_of(app, browser)
    browser.sign_in(ADA)  # a new session replaces the one this browser held
    assert browser.get("/leads").status_code == 200
    assert is_sent_to_signin(old.get("/leads"))


def test_sign_out_everywhere_ends_another_browsers_session(app):
    # given the same person signed in on two browsers
    laptop, phone = signed_in(app), signed_in(app)
    assert "You are signed in on 2 browsers." in laptop.get("/settings").text
    # when one of them signs out everywhere
    response = laptop.post("/settings/sign-out-everywhere")
    # then both are signed out
    assert response.headers["location"] == "/signin"
    assert is_sent_to_signin(phone.get("/leads"))
    assert phone.client.get("/api/v1/me").status_code == 401
    assert is_sent_to_signin(laptop.get("/leads"))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app):
    laptop, phone = signed_in(app), signed_in(app)
    laptop.get("/settings")
    response = laptop.post("/settings/password", {"current_password": PASSWORD,
                                                  "new_password": "a new long password",
                                                  "confirm_password": "a new long password"})
    assert response.headers["location"] == "/settings"
    assert "Password changed" in laptop.get("/settings").text  # this browser stays signed in
    assert is_sent_to_signin(phone.get("/leads"))
    assert phone.client.get("/api/v1/me").status_code == 401
    # and the new password is the one that signs in
    other = Browser(app)
    other.get("/signin")
    assert other.post("/signin", {"email": ADA, "password": PASSWORD}).status_code == 401
    other.sign_in(ADA, "a new long password")


def test_a_password_change_needs_the_current_password_and_a_long_enough_new_one(app):
    laptop, phone = signed_in(app), signed_in(app)
    laptop.get("/settings")
    wrong = laptop.post("/settings/password", {"current_password": "not it", "new_password": "a new long password",
                                               "confirm_password": "a new long password"})
    short = laptop.post("/settings/password", {"current_password": PASSWORD, "new_password": "short",
                                               "confirm_password": "short"})
    differ = laptop.post("/settings/password", {"current_password": PASSWORD, "new_password": "a new long password",
                                                "confirm_password": "another long password"})
    assert (wrong.status_code, short.status_code, differ.status_code) == (422, 422, 422)
    assert "The current password is not right." in wrong.text
    assert "Use at least 8 characters." in short.text
    assert "The two new passwords do not match." in differ.text
    assert phone.get("/leads").status_code == 200  # nothing changed: other sessions live on


def test_a_session_ends_after_twelve_idle_hours(app, clock: Clock):
    browser = signed_in(app)
    # each request within 12 hours of the last keeps the session going, past 12 hours in all
    for _ in range(3):
        clock.now += timedelta(hours=11, minutes=59)
        assert browser.get("/leads").status_code == 200
    clock.now += timedelta(hours=12)
    assert is_sent_to_signin(browser.get("/leads"))
    assert browser.client.get("/api/v1/me").status_code == 401


def test_a_session_ends_fourteen_days_after_sign_in_however_busy(app, clock: Clock):
    browser = signed_in(app)
    started = clock.now
    while clock.now < started + timedelta(days=14) - timedelta(hours=11):
        clock.now += timedelta(hours=11)
        assert browser.get("/leads").status_code == 200
    clock.now = started + timedelta(days=14)
    assert is_sent_to_signin(browser.get("/leads"))


def test_the_lifetimes_come_from_the_settings(engine: Engine, app, clock: Clock):
    short = pages_app(engine, clock, session_idle_hours=1, session_max_days=1)
    browser = signed_in(short)
    clock.now += timedelta(minutes=59)
    assert browser.get("/leads").status_code == 200
    clock.now += timedelta(hours=1)
    assert is_sent_to_signin(browser.get("/leads"))


def test_last_seen_is_written_at_most_once_a_minute(engine: Engine, app, clock: Clock):
    browser = signed_in(app)
    signed_in_at = clock.now

    def last_seen():
        with reading(engine) as conn:
            return conn.execute(select(sessions.c.last_seen_at)).scalar_one()

    clock.now += timedelta(seconds=30)
    browser.get("/leads")
    assert last_seen() == signed_in_at
    clock.now += timedelta(seconds=30)
    browser.get("/leads")
    assert last_seen() == clock.now


def test_only_a_hash_of_the_session_key_is_stored(engine: Engine, app):
    browser = signed_in(app)
    with reading(engine) as conn:
        stored = conn.execute(select(sessions.c.key_hash)).scalar_one()
    cookie = browser.client.cookies.get("referrals_session")
    assert len(stored) == 64 and stored not in cookie


def test_deactivating_a_user_ends_their_sessions(engine: Engine, app):
    browser = signed_in(app)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.email == ADA).values(active=False))
    assert is_sent_to_signin(browser.get("/leads"))
    assert browser.client.get("/api/v1/me").status_code == 401
