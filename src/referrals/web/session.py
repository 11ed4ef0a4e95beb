"""The pages' session. The browser holds a cookie signed with the settings' secret key: the key of a server-side
session (services.sessions: only its hash is stored), a CSRF token, the language chosen before signing in and one
flash message. Who is signed in is never read from the cookie alone: the session must still exist (not signed
out, not ended by a password change, a reset or "sign out everywhere", its user active) and be alive
(REFERRALS_SESSION_IDLE_HOURS since the last request, REFERRALS_SESSION_MAX_DAYS since signing in), judged by
the web edge's clock (web.deps.get_now).

Every POST form carries the session's CSRF token; the JSON API accepts the session too when the request
sends the token in the X-CSRF-Token header.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine
from starlette.responses import Response

from referrals.config import Settings
from referrals.domain.access import Principal
from referrals.domain.credentials import SessionLifetime
from referrals.domain.errors import Forbidden
from referrals.services import sessions
from referrals.services.signin import Viewer

COOKIE = "referrals_session"
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
    """The cookie's contents. `key` names the server-side session; it signs nobody in by itself."""

    data: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False

    @property
    def key(self) -> str | None:
        return self.data.get("s")

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

    def begin(self, key: str) -> None:
        """A fresh CSRF token with every new session, so a token seen before it is worth nothing after."""
        self.data = {"s": key, "c": secrets.token_urlsafe(24), "l": self.language}
        self.dirty = True

    def clear(self) -> None:
        self.data = {"c": secrets.token_urlsafe(24), "l": self.language}
        self.dirty = True

    def forget(self) -> None:
        """Drop a session found dead; the CSRF token stays, so a form posted with it still reaches sign-in."""
        if self.data.pop("s", None) is not None:
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


def lifetime(settings: Settings) -> SessionLifetime:
    return SessionLifetime(idle=timedelta(hours=settings.session_idle_hours),
                           absolute=timedelta(days=settings.session_max_days))


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt="referrals.session")


def _max_age(settings: Settings) -> int:
    return int(timedelta(days=settings.session_max_days).total_seconds())


def load(request: Request) -> Session:
    """The request's cookie (read once, kept on request.state)."""
    session = getattr(request.state, "session", None)
    if session is not None:
        return session
    raw = request.cookies.get(COOKIE)
    data: dict[str, Any] = {}
    if raw:
        try:
            loaded = _serializer(request.app.state.settings).loads(raw, max_age=_max_age(request.app.state.settings))
            data = loaded if isinstance(loaded, dict) else {}
        except BadSignature:
            data = {}
    session = Session(data)
    request.state.session = session
    return session


def signed_in(request: Request, engine: Engine, now: datetime) -> Viewer | None:
    """Who holds the request's live session, or None (asked once per request)."""
    if hasattr(request.state, "session_viewer"):
        return request.state.session_viewer
    cookie = load(request)
    viewer = sessions.resume(engine, cookie.key, now, lifetime(request.app.state.settings)) if cookie.key else None
    if viewer is None:
        cookie.forget()
    request.state.session_viewer = viewer
    return viewer


def _changed(request: Request) -> None:
    if hasattr(request.state, "session_viewer"):
        del request.state.session_viewer  # read again from the new session, if asked


def sign_in(request: Request, engine: Engine, user_id: str, now: datetime) -> None:
    """A new session for this browser; a session it held before ends (no session fixation)."""
    cookie = load(request)
    if cookie.key:
        sessions.end(engine, cookie.key)
    cookie.begin(sessions.start(engine, user_id, now, lifetime(request.app.state.settings)))
    _changed(request)


def renewed(request: Request, key: str) -> None:
    """This browser continues in a session begun by a service (after a password change ended all others)."""
    load(request).begin(key)
    _changed(request)


def sign_out(request: Request, engine: Engine, *, everywhere: str | None = None) -> None:
    """End this browser's session, or with `everywhere=user_id` every session of that user."""
    cookie = load(request)
    if everywhere:
        sessions.sign_out_everywhere(engine, everywhere)
    elif cookie.key:
        sessions.end(engine, cookie.key)
    cookie.clear()
    request.state.session_viewer = None


def save(request: Request, session: Session, response: Response) -> None:
    if not session.dirty:
        return
    settings: Settings = request.app.state.settings
    response.set_cookie(
        COOKIE, _serializer(settings).dumps(session.data), max_age=_max_age(settings), httponly=True,
        samesite="lax", secure=settings.base_url.startswith("https://"), path="/",
    )


def api_session_principal(request: Request, engine: Engine, now: datetime) -> Principal | None:
    """The JSON API's view of the session (installed as app.state.session_principal)."""
    viewer = signed_in(request, engine, now)
    if viewer is None:
        return None
    if request.method not in SAFE_METHODS and not load(request).csrf_ok(request.headers.get(CSRF_HEADER)):
        raise Forbidden(f"A request signed in by cookie must send the {CSRF_HEADER} header.")
    return viewer.principal
