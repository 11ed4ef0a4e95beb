"""Signing in with email and password, and who the signed-in user is for the pages: the principal plus
the names and the partner's time zone the pages show, read in one query."""

from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from referrals.domain.access import Principal
from referrals.domain.errors import InvalidInput
from referrals.services.auth import principal_from_row, verify_password
from referrals.store.db import reading, writing
from referrals.store.tables import partners, users

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
        row = conn.execute(
            select(users).where(users.c.email == email.strip().lower(), users.c.active.is_(True))
        ).first()
    if not verify_password(password, row.password_hash if row is not None else None):
        return None
    return principal_from_row(row)


def load_viewer(engine: Engine, user_id: str) -> Viewer | None:
    with reading(engine) as conn:
        row = conn.execute(
            select(users, partners.c.name.label("partner_name"), partners.c.timezone)
            .outerjoin(partners, partners.c.id == users.c.partner_id)
            .where(users.c.id == user_id, users.c.active.is_(True))
        ).first()
    if row is None:
        return None
    return Viewer(principal_from_row(row), row.name or row.email, row.partner_name or "", row.timezone or "UTC")


def set_language(engine: Engine, principal: Principal, language: str) -> None:
    """The user's preferred language for pages and emails."""
    if language not in LANGUAGES:
        raise InvalidInput("Unknown language.", fields={"language": "must be en or it"})
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.id == principal.user_id).values(language=language))
