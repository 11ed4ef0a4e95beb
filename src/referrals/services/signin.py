"""Signing in with email and password, and who the signed-in user is for the pages: the principal plus
the names and the partner's time zone the pages show, read in one query."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals import emails
from referrals.config import get_settings
from referrals.domain.access import Principal
from referrals.domain.errors import InvalidInput
from referrals.services.auth import verify_password
from referrals.store import users
from referrals.store.db import reading, writing
from referrals.store.outbox import enqueue, message

LANGUAGES = ("en", "it")


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    name: str
    partner_name: str
    timezone: str


def sign_in(engine: Engine, email: str, password: str) -> Principal | None:
    """The user whose password this is, or None (unknown email and wrong password cost the same time)."""
    with reading(engine) as conn:
        found = users.credentials(conn, email.strip().lower())
    principal, password_hash = found if found is not None else (None, None)
    if not verify_password(password, password_hash):
        return None
    return principal


def alert_new_address(engine: Engine, principal: Principal, address: str, failures: int, *, now: datetime) -> None:
    """Tell the user of a sign-in from an address new to the account, right after many wrong passwords: if it
    was not them, the password is known. One email per account, address and day."""
    context = emails.signin_alert_context(principal.email, address, failures, now, get_settings().base_url)
    with writing(engine) as conn:
        enqueue(conn, message(key=f"signin_alert:{principal.user_id}:{address}:{now:%Y-%m-%d}",
                              template="signin_alert", recipient=principal.email,
                              language=principal.language or "en", context=context, now=now))


def viewer_of(found: users.UserAndPartner) -> Viewer:
    """The pages' viewer from the user and partner a session lookup reads (services.sessions.resume)."""
    return Viewer(found.principal, found.name or found.principal.email, found.partner_name or "",
                  found.timezone or "UTC")


def set_language(engine: Engine, principal: Principal, language: str) -> None:
    """The user's preferred language for pages and emails."""
    if language not in LANGUAGES:
        raise InvalidInput("Unknown language.", fields={"language": "must be en or it"})
    with writing(engine) as conn:
        users.set_language(conn, principal.user_id, language)
