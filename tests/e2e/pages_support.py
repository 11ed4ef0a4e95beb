"""Helpers for the page tests: an app with the pages registered, users who can sign in with a password,
and a browser-like client that signs in and sends each form with its CSRF token."""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine, select, update

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.services import sessions
from referrals.services.auth import hash_password
from referrals.services.directory_admin import add_user
from referrals.store.db import writing
from referrals.store.tables import users
from referrals.web.deps import get_now, utc_now
from referrals.web.session import COOKIE, secret_key
from referrals.web.session import lifetime as session_lifetime
from tests import apps, factories

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    now: datetime = factories.NOW


def pages_app(engine: Engine, clock: Clock, **settings):
    app = apps.app_for(Settings(database_url="sqlite://", secret_key="test-secret-key-0123456789", **settings),
                       engine)
    app.dependency_overrides[get_now] = lambda: clock.now
    return app


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow by design: hash once per test run


def add_person(engine: Engine, partner_id: str | None, *roles: Role, email: str, language: str | None = None) -> str:
    """A user who signs in with PASSWORD."""
    user_id = add_user(engine, email, partner_id=partner_id, roles=list(roles), password=None,
                       name=email.split("@")[0].title(), language=language, now=factories.NOW)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(password_hash=_password_hash()))
    return user_id


class Browser:
    """A TestClient that remembers the CSRF token of the last page it read."""

    def __init__(self, app):
        self.client = TestClient(app, follow_redirects=False)
        self.token = ""

    def get(self, url: str, **kwargs):
        response = self.client.get(url, **kwargs)
        is_html = response.headers.get("content-type", "").startswith("text/html")
        found = _CSRF.search(response.text) if is_html else None
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict | list | None = None, **kwargs):
        if not self.token:
            self.get("/signin")
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        fields = [(k, v) for k, vs in fields for v in (vs if isinstance(vs, list) else [vs])]
        body = "&".join(f"{_q(k)}={_q(str(v))}" for k, v in [*fields, ("csrf_token", self.token)])
        headers = {"content-type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
        return self.client.post(url, content=body.encode(), headers=headers, **kwargs)

    def enter_as(self, engine: Engine, email: str) -> None:
        """Signed in without the password check (the sign-in tests do that): a session begun at the app's
        clock, and its cookie as the sign-in form would set it."""
        with engine.connect() as conn:
            user_id = conn.execute(select(users.c.id).where(users.c.email == email)).scalar_one()
        app = self.client.app
        settings = app.state.settings
        now = app.dependency_overrides.get(get_now, utc_now)()
        key = sessions.start(engine, user_id, now, session_lifetime(settings))
        cookie = URLSafeTimedSerializer(secret_key(settings), salt="referrals.session").dumps(
            {"s": key, "c": "test-csrf-token"})
        self.client.cookies.set(COOKIE, cookie)
        self.token = "test-csrf-token"

    def sign_in(self, email: str, password: str = PASSWORD):
        self.get("/signin")
        response = self.post("/signin", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        self.get("/leads")
        return response


def _q(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)


def lead_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-lead-id="([^"]+)"', html)
