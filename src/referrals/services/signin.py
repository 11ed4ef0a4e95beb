"""Signing in with email and password, and who the signed-in user is for the pages: the principal plus
the names and the partner's time zone the pages show, read in one query."""

from dataclasses import dataclass

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.errors import InvalidInput
from referrals.services.auth import verify_password
from referrals.store import users
from referrals.store.db import reading, writing

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


def load_viewer(engine: Engine, user_id: str) -> Viewer | None:
    with reading(engine) as conn:
        found = users.with_partner(conn, user_id)
    if found is None:
        return None
    return Viewer(found.principal, found.name or found.principal.email, found.partner_name or "",
                  found.timezone or "UTC")


def set_language(engine: Engine, principal: Principal, language: str) -> None:
    """The user's preferred language for pages and emails."""
    if language not in LANGUAGES:
        raise InvalidInput("Unknown language.", fields={"language": "must be en or it"})
    with writing(engine) as conn:
        users.set_language(conn, principal.user_id, language)
