"""Forgot password: a one-time link by email (through the outbox to a real SMTP server), answered the same way
whether or not the address has an account, good once and for one hour; setting the password ends every session.
On both databases."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from referrals.adapters.smtp import SmtpMailer
from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.services.outbox import drain
from referrals.store.db import reading
from referrals.store.tables import password_resets
from tests import factories
from tests.e2e.pages_support import PASSWORD, Browser, Clock, add_person, pages_app
from tests.smtp import SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ADA = "ada@contoso.example"
RUI = "rui@contoso.example"
NEW_PASSWORD = "a brand new password"
_LINK = re.compile(r"http://127\.0\.0\.1:8000(/password/reset/[A-Za-z0-9_-]+)")


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailer(smtp) -> SmtpMailer:
    return SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="Referrals <r@example.com>"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: Engine, clock: Clock):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email=ADA)
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email=RUI, language="it")
    return pages_app(engine, clock)


def ask_for_link(app, email: str):
    browser = Browser(app)
    browser.get("/password/forgot")
    return browser.post("/password/forgot", {"email": email})


def emailed_link(engine: Engine, mailer: SmtpMailer, smtp: SmtpServer, clock: Clock, address: str) -> str:
    drain(engine, mailer, now=clock.now)
    [message] = smtp.recorder.to(address)
    found = _LINK.search(message.get_body(("plain",)).get_content())
    assert found, message.get_body(("plain",)).get_content()
    assert found.group(0) in message.get_body(("html",)).get_content()
    return found.group(1)


def test_the_sign_in_page_links_to_forgot_password(app):
    assert 'href="/password/forgot"' in Browser(app).get("/signin").text


def test_a_known_address_gets_one_email_and_an_unknown_one_none_with_the_same_answer(
        engine: Engine, app, clock: Clock, smtp: SmtpServer, mailer: SmtpMailer):
    # when a link is asked for a known address and for an unknown one
    known = ask_for_link(app, "ADA@contoso.example")
    unknown = ask_for_link(app, "nobody@contoso.example")
    # then both answers are the same page
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.text) == _without_csrf(unknown.text)
    assert "If an account uses this address" in known.text
    # and exactly one email went out, to the known address, with a link to set a new password
    drain(engine, mailer, now=clock.now)
    assert [m["To"] for m in smtp.recorder.messages] == [ADA]
    [message] = smtp.recorder.messages
    assert "password" in message["Subject"].lower()
    assert _LINK.search(message.get_body(("plain",)).get_content())


def test_the_email_is_in_the_users_language(engine: Engine, app, clock: Clock, smtp, mailer):
    ask_for_link(app, RUI)
    emailed_link(engine, mailer, smtp, clock, RUI)
    assert "password" in smtp.recorder.to(RUI)[0]["Subject"].lower()
    assert "Reimposta" in smtp.recorder.to(RUI)[0]["Subject"]


def test_the_link_sets_a_new_password_once_and_ends_every_session(engine: Engine, app, clock: Clock, smtp, mailer):
    # given Ada signed in on one browser, and a reset link sent to her
    signed_in = Browser(app)
    signed_in.sign_in(ADA)
    ask_for_link(app, ADA)
    path = emailed_link(engine, mailer, smtp, clock, ADA)
    # when the link is opened and a new password set
    browser = Browser(app)
    assert 'data-testid="reset-form"' in browser.get(path).text
    response = browser.post(path, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.headers["location"] == "/signin"
    # then the session she had is over, the old password is refused and the new one signs in
    assert signed_in.get("/leads").status_code == 303
    assert "Your password is set" in browser.get("/signin").text
    refused = browser.post("/signin", {"email": ADA, "password": PASSWORD})
    assert refused.status_code == 401
    browser.sign_in(ADA, NEW_PASSWORD)
    # and the link does not work a second time
    again = Browser(app)
    assert again.get(path).status_code == 410
    assert again.post(path, {"password": "yet another password", "confirm_password": "yet another password"}
                      ).status_code == 410
    Browser(app).sign_in(ADA, NEW_PASSWORD)


def test_the_link_does_not_work_after_an_hour(engine: Engine, app, clock: Clock, smtp, mailer):
    ask_for_link(app, ADA)
    path = emailed_link(engine, mailer, smtp, clock, ADA)
    clock.now += timedelta(minutes=59)
    assert Browser(app).get(path).status_code == 200
    clock.now += timedelta(minutes=1)
    browser = Browser(app)
    page = browser.get(path)
    assert page.status_code == 410 and "This link has expired or was already used." in page.text
    assert browser.post(path, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 410
    Browser(app).sign_in(ADA, PASSWORD)  # the password is unchanged


def test_a_too_short_password_keeps_the_link(engine: Engine, app, clock: Clock, smtp, mailer):
    ask_for_link(app, ADA)
    path = emailed_link(engine, mailer, smtp, clock, ADA)
    browser = Browser(app)
    browser.get(path)
    short = browser.post(path, {"password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "Use at least 8 characters." in short.text
    assert browser.post(path, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 303


def test_a_new_link_and_a_password_change_spend_the_links_still_out(engine: Engine, app, clock: Clock, smtp, mailer):
    ask_for_link(app, ADA)
    first = emailed_link(engine, mailer, smtp, clock, ADA)
    smtp.recorder.messages.clear()
    ask_for_link(app, ADA)
    second = emailed_link(engine, mailer, smtp, clock, ADA)
    browser = Browser(app)
    browser.get(second)
    browser.post(second, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert Browser(app).get(first).status_code == 410


def test_only_a_hash_of_the_link_is_stored_and_requests_are_limited(engine: Engine, app, clock: Clock, smtp, mailer):
    for _ in range(5):
        ask_for_link(app, ADA)
    drain(engine, mailer, now=clock.now)
    assert len(smtp.recorder.to(ADA)) == 3  # three links an hour at most: no one can flood an inbox
    with reading(engine) as conn:
        stored = set(conn.execute(select(password_resets.c.token_hash)).scalars())
    sent = {_LINK.search(m.get_body(("plain",)).get_content()).group(1).rsplit("/", 1)[1]
            for m in smtp.recorder.messages}
    assert len(stored) == 3 and not stored & sent


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def test_a_made_up_link_is_refused_before_any_password_is_hashed(app, monkeypatch):
    # given an attacker posting new passwords to links that do not exist
    hashed = []
    monkeypatch.setattr("referrals.services.passwords._checked", lambda *args: hashed.append(args) or "x")
    browser = Browser(app)
    browser.get("/password/forgot")
    answer = browser.post("/password/reset/not-a-real-token", {"password": NEW_PASSWORD,
                                                                 "confirm_password": NEW_PASSWORD})
    # then the link is gone, and argon2 never ran
    assert answer.status_code == 410
    assert hashed == []


def test_forgot_and_reset_posts_are_limited_per_address(app):
    # given one address posting the two password forms again and again
    browser = Browser(app)
    browser.get("/password/forgot")
    answers = [browser.post("/password/forgot", {"email": f"nobody{i}@example.com"}).status_code for i in range(8)]
    answers += [browser.post("/password/reset/made-up", {"password": NEW_PASSWORD,
                                                         "confirm_password": NEW_PASSWORD}).status_code
                for _ in range(4)]
    # then the posts past ten a minute are refused with 429 and Retry-After
    assert answers[:10].count(429) == 0
    assert answers[10:] == [429, 429]
    refused = browser.post("/password/forgot", {"email": "again@example.com"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert 'data-testid="too-many"' in refused.text
