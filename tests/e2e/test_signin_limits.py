"""Sign-in limits a stranger cannot turn against the owner, client addresses a client cannot forge, and limits
that hold across web processes sharing Redis; on both databases."""

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine, select, update

from referrals import emails
from referrals.domain.enums import Role
from referrals.store.db import writing
from referrals.store.tables import outbox, users
from referrals.web.ratelimit_signin import MAX_DELAY
from tests import factories
from tests.e2e.limits_support import REDIS_URL, as_served, browser_at, redis_prefix_fixture  # noqa: F401
from tests.e2e.pages_support import PASSWORD, Browser, Clock, add_person, pages_app
from tests.factories import NOW

OWNER = "ada@contoso.example"


# Cheap argon2 parameters for these users: the tests check many passwords, and argon2 reads its cost from the
# hash. Every email the tests try is one of them (an unknown email costs a full-price hash).
_CHEAP = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
SPRAYED = [f"user{n}@contoso.example" for n in range(8)]


@pytest.fixture
def people(engine: Engine) -> None:
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email=OWNER)
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email="rui@contoso.example", language="it")
    for email in SPRAYED:
        add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email=email)
    with writing(engine) as conn:
        conn.execute(update(users).values(password_hash=_CHEAP.hash(PASSWORD)))


def attempt(browser: Browser, email: str = OWNER, password: str = "wrong", forwarded: str | None = None):  # noqa: S107
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return browser.post("/signin", {"email": email, "password": password}, headers=headers)


class Sleeps(list):
    """Stands in for asyncio.sleep: remembers each delay instead of waiting it out."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def app_recording_delays(engine: Engine, **settings):
    app = pages_app(engine, Clock(), **settings)
    app.state.signin_limiter.sleep = Sleeps()
    return app


def alerts(engine: Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(outbox).where(outbox.c.template == "signin_alert")).all()


# -- a stranger's failures ------------------------------------------------------------------------------


def test_thirty_wrong_passwords_from_one_address_do_not_keep_the_owner_out(engine: Engine, people):
    app = app_recording_delays(engine)  # REFERRALS_LOGIN_RATE_LIMIT as shipped: 10/minute
    stranger, owner = browser_at(app, "203.0.113.7"), browser_at(app, "198.51.100.20")

    answers = [attempt(stranger) for _ in range(30)]
    signed_in = attempt(owner, password=PASSWORD)

    assert [a.status_code for a in answers] == [401] * 10 + [429] * 20
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/leads"
    assert app.state.signin_limiter.sleep == []  # at once


def test_failures_from_many_addresses_slow_new_addresses_down_but_never_refuse_the_right_password(
        engine: Engine, people):
    app = app_recording_delays(engine, login_rate_limit="5/minute")
    sleeps = app.state.signin_limiter.sleep
    known = browser_at(app, "198.51.100.20")
    attempt(known, password=PASSWORD)  # the owner's usual address

    for n in range(4):  # 20 failures: past the free 10, from addresses each within its own limit
        assert [attempt(browser_at(app, f"203.0.113.{n}")).status_code for _ in range(5)] == [401] * 5
    slowed = attempt(browser_at(app, "192.0.2.55"), password=PASSWORD)
    from_home = attempt(browser_at(app, "198.51.100.20"), password=PASSWORD)

    assert sleeps[0] == 1.0 and sleeps == sorted(sleeps) and sleeps[-1] == MAX_DELAY  # grows, to a ceiling
    assert slowed.status_code == 303 and from_home.status_code == 303
    assert len(sleeps) == 20 - 10  # the owner's known address waited for nothing


def test_one_address_cannot_spray_guesses_over_many_accounts(engine: Engine, people):
    app = app_recording_delays(engine, login_address_rate_limit="5/minute")
    sprayer = browser_at(app, "203.0.113.7")

    answers = [attempt(sprayer, email=SPRAYED[n]).status_code for n in range(6)]

    assert answers == [401] * 5 + [429]
    assert attempt(browser_at(app, "198.51.100.20"), password=PASSWORD).status_code == 303


# -- the client address -----------------------------------------------------------------------------------


def test_rotating_x_forwarded_for_from_an_untrusted_client_does_not_reset_the_address_limit(
        engine: Engine, people, monkeypatch, tmp_path):
    app = app_recording_delays(engine, login_rate_limit="5/minute", login_address_rate_limit="5/minute")
    # No trusted proxy (the default), and loopback is no exception.
    rotating = browser_at(as_served(app, monkeypatch, tmp_path), "127.0.0.1")

    answers = [attempt(rotating, email=SPRAYED[n], forwarded=f"10.9.8.{n}").status_code
               for n in range(8)]

    assert answers == [401] * 5 + [429] * 3


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(engine: Engine, people, monkeypatch, tmp_path):
    app = app_recording_delays(engine, login_address_rate_limit="5/minute", trusted_proxies="10.0.0.1, 10.1.0.0/16")
    proxy = browser_at(as_served(app, monkeypatch, tmp_path), "10.0.0.1")

    # Each customer behind the proxy has a limit of their own; what a client wrote left of the proxies' part is
    # ignored, and so is every trusted hop.
    apart = [attempt(proxy, email=SPRAYED[n], forwarded=f"6.6.6.{n}, 203.0.113.{n}, 10.1.2.3")
             .status_code for n in range(8)]
    one_customer = [attempt(proxy, email=SPRAYED[n], forwarded=f"6.6.6.{n}, 198.51.100.7")
                    .status_code for n in range(6)]

    assert apart == [401] * 8
    assert one_customer == [401] * 5 + [429]


# -- the alert --------------------------------------------------------------------------------------------


def test_a_sign_in_from_a_new_address_after_many_failures_emails_the_user_once(engine: Engine, people):
    app = app_recording_delays(engine, trusted_proxies="10.0.0.1")
    for _ in range(12):
        attempt(browser_at(app, "203.0.113.7"), email="RUI@contoso.example")  # 10 checked, 2 refused
    attempt(browser_at(app, "203.0.113.8"), email="rui@contoso.example")  # the 11th failure
    behind_proxy = browser_at(app, "10.0.0.1")

    first = attempt(behind_proxy, email="rui@contoso.example", password=PASSWORD, forwarded="192.0.2.44")
    again = attempt(browser_at(app, "10.0.0.1"), email="rui@contoso.example", password=PASSWORD,
                    forwarded="192.0.2.44")

    assert first.status_code == 303 and again.status_code == 303
    [alert] = alerts(engine)
    assert alert.recipient == "rui@contoso.example" and alert.language == "it"
    assert alert.context["address"] == "192.0.2.44" and alert.context["failures"] == 11
    italian = emails.render("signin_alert", alert.language, alert.context)
    english = emails.render("signin_alert", "en", alert.context)
    assert "192.0.2.44" in italian.text and "11 tentativi" in italian.text and "accesso" in italian.subject
    assert "192.0.2.44" in english.html and "11 sign-in attempts" in english.text


def test_no_alert_after_a_few_failures_or_from_a_known_address(engine: Engine, people):
    app = app_recording_delays(engine)
    home = browser_at(app, "198.51.100.20")
    attempt(home, password=PASSWORD)
    for n in range(3):
        [attempt(browser_at(app, f"203.0.113.{n}")) for _ in range(5)]  # 15 failures

    assert attempt(browser_at(app, "198.51.100.20"), password=PASSWORD).status_code == 303
    assert alerts(engine) == []


# -- several processes --------------------------------------------------------------------------------------


def test_the_sign_in_limit_holds_across_two_processes_sharing_redis(engine: Engine, people, redis_prefix):
    shared = {"redis_url": REDIS_URL, "rate_limit_prefix": redis_prefix, "login_rate_limit": "3/minute"}
    first, second = app_recording_delays(engine, **shared), app_recording_delays(engine, **shared)

    on_first = [attempt(browser_at(first, "203.0.113.7")).status_code for _ in range(3)]
    on_second = attempt(browser_at(second, "203.0.113.7"))
    elsewhere = attempt(browser_at(second, "198.51.100.20"), password=PASSWORD)

    assert on_first == [401] * 3
    assert on_second.status_code == 429 and int(on_second.headers["Retry-After"]) >= 1
    assert elsewhere.status_code == 303


def test_apart_from_redis_each_process_counts_alone(engine: Engine, people):
    first, second = app_recording_delays(engine, login_rate_limit="3/minute"), app_recording_delays(
        engine, login_rate_limit="3/minute")

    [attempt(browser_at(first, "203.0.113.7")) for _ in range(3)]

    assert attempt(browser_at(second, "203.0.113.7")).status_code == 401


def test_the_alert_context_names_the_time_in_utc():
    context = emails.signin_alert_context("ada@contoso.example", "192.0.2.1", 12, NOW, "https://referrals.example/")
    assert context["at"].endswith("UTC") and context["signin_url"] == "https://referrals.example/signin"
