"""The pages' session: a cookie signed with the settings' secret key, holding the signed-in user, a
CSRF token, the language chosen before signing in and one flash message. Nothing else is stored server-side.

Every POST form carries the session's CSRF token; the JSON API accepts the session too when the request
sends the token in the X-CSRF-Token header.
"""

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine
from starlette.responses import Response

from referrals.config import Settings
from referrals.domain.access import Principal
from referrals.domain.errors import Forbidden
from referrals.services.auth import principal_for_user
from referrals.store.db import reading

COOKIE = "referrals_session"
MAX_AGE = 14 * 24 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger(__name__)
_process_key: str | None = None


def secret_key(settings: Settings) -> str:
    """The configured key, or one random key per process (sessions then end when the process does)."""
    global _process_key
    if settings.secret_key:
        return settings.secret_key
    if _process_key is None:
        _process_key = secrets.token_urlsafe(32)
        log.warning("REFERRALS_SECRET_KEY is not set: sessions are signed with a random key for this process.")
    return _process_key


@dataclass
class Session:
    data: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False

    @property
    def user_id(self) -> str | None:
        return self.data.get("u")

    @property
    def csrf(self) -> str:
        if not self.data.get("c"):
            self.data["c"] = secrets.token_urlsafe(24)
            self.dirty = True
        return self.data["c"]

    @property
    def language(self) -> str | None:
        return self.data.get("l")

    def set(self, key: str, value: Any) -> None:
        if self.data.get(key) != value:
            self.data[key] = value
            self.dirty = True

    def sign_in(self, user_id: str) -> None:
        """A fresh CSRF token with every sign-in, so a token seen before it is worth nothing after."""
        self.data = {"u": user_id, "c": secrets.token_urlsafe(24), "l": self.language}
        self.dirty = True

    def sign_out(self) -> None:
        self.data = {"c": secrets.token_urlsafe(24), "l": self.language}
        self.dirty = True

    def flash(self, message: str) -> None:
        self.set("f", message)

    def pop_flash(self) -> str | None:
        message = self.data.pop("f", None)
        if message is not None:
            self.dirty = True
        return message

    def csrf_ok(self, token: str | None) -> bool:
        expected = self.data.get("c")
        return bool(expected and token) and secrets.compare_digest(str(expected), str(token))


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt="referrals.session")


def load(request: Request) -> Session:
    """The request's session (read once, kept on request.state)."""
    session = getattr(request.state, "session", None)
    if session is not None:
        return session
    raw = request.cookies.get(COOKIE)
    data: dict[str, Any] = {}
    if raw:
        try:
            loaded = _serializer(request.app.state.settings).loads(raw, max_age=MAX_AGE)
            data = loaded if isinstance(loaded, dict) else {}
        except BadSignature:
            data = {}
    session = Session(data)
    request.state.session = session
    return session


def save(request: Request, session: Session, response: Response) -> None:
    if not session.dirty:
        return
    settings: Settings = request.app.state.settings
    response.set_cookie(
        COOKIE, _serializer(settings).dumps(session.data), max_age=MAX_AGE, httponly=True, samesite="lax",
        secure=settings.base_url.startswith("https://"), path="/",
    )


def api_session_principal(request: Request, engine: Engine) -> Principal | None:
    """The JSON API's view of the session (installed as app.state.session_principal)."""
    session = load(request)
    if not session.user_id:
        return None
    if request.method not in SAFE_METHODS and not session.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise Forbidden(f"A request signed in by cookie must send the {CSRF_HEADER} header.")
    with reading(engine) as conn:
        return principal_for_user(conn, session.user_id)
