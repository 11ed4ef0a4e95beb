"""Setting up the program: partners, their locations and inbound keys, users and API tokens."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine

from referrals.domain.checks import collecting, is_country_code
from referrals.domain.enums import PARTNER_ROLES, PROGRAM_ROLES, Role
from referrals.domain.errors import InvalidInput, NotFound
from referrals.services.auth import hash_password, hash_token
from referrals.services.tokens import create_token_for
from referrals.store import enrolment as store
from referrals.store import partners
from referrals.store.db import writing
from referrals.store.ids import new_id
from referrals.store.profiles import add_location


@dataclass(frozen=True)
class NewPartner:
    id: str
    location_id: str
    inbound_key: str


def add_partner(
    engine: Engine, name: str, *, country: str, city: str = "", contact_email: str = "",
    contact_name: str = "", timezone: str = "UTC", now: datetime,
) -> NewPartner:
    with collecting("The partner is invalid") as problems:
        problems.require_text("name", name, max_length=200)
        if not is_country_code(country):
            problems.add("country", f"{country!r} is not an ISO 3166 alpha-2 code (like IT or US)")
        problems.require_email("contact_email", contact_email, required=False)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.add("timezone", f"{timezone!r} is not a known time zone (like Europe/Rome)")
    partner_id, location_id = new_id(), new_id()
    with writing(engine) as conn:
        store.add_partner(conn, partner_id, name.strip(), timezone, now)
        location = {"country": country, "city": city, "contact_name": contact_name, "contact_email": contact_email}
        add_location(conn, partner_id, location_id, now, location)
        key = _issue_inbound_key(conn, partner_id, location_id, now)
    return NewPartner(partner_id, location_id, key)


def _issue_inbound_key(conn: Connection, partner_id: str, location_id: str, now: datetime) -> str:
    key = "ik_" + secrets.token_urlsafe(24)
    store.add_inbound_key(conn, hash_token(key), partner_id, location_id, now)
    return key


def rotate_inbound_key(engine: Engine, location_id: str, *, now: datetime) -> str:
    """Revoke the location's keys and issue a new one (keys are stored hashed, so they can't be shown again)."""
    with writing(engine) as conn:
        partner_id = store.partner_of_location(conn, location_id)
        if partner_id is None:
            raise NotFound(f"No location {location_id!r}.")
        store.revoke_inbound_keys(conn, location_id, now)
        return _issue_inbound_key(conn, partner_id, location_id, now)


def add_user(
    engine: Engine, email: str, *, partner_id: str | None, roles: list[Role], password: str | None,
    name: str = "", language: str | None = None, now: datetime,
) -> str:
    email = email.strip().lower()
    with collecting("The user is invalid") as problems:
        problems.require_email("email", email)
        if not roles:
            problems.add("role", "at least one role is required")
        allowed = PARTNER_ROLES if partner_id else PROGRAM_ROLES
        wrong = [r.value for r in roles if r not in allowed]
        if wrong:
            side = "partner" if partner_id else "program"
            problems.add("role", f"{', '.join(wrong)} cannot be given to a {side} user")
        if password is not None and len(password) < 8:
            problems.add("password", "needs at least 8 characters")
        if language not in (None, "en", "it"):
            problems.add("language", "must be en or it")
    user_id = new_id()
    with writing(engine) as conn:
        if partner_id and not partners.exists(conn, partner_id):
            raise InvalidInput(f"No partner {partner_id!r}.", fields={"partner": "does not exist"})
        if store.user_id_by_email(conn, email) is not None:
            raise InvalidInput(f"A user with the email {email} already exists.", fields={"email": "is taken"})
        store.add_user(
            conn, user_id, email, name=name, partner_id=partner_id, roles=roles,
            password_hash=hash_password(password) if password else None, language=language, now=now,
        )
    return user_id


def create_token(engine: Engine, email: str, *, name: str = "", now: datetime,
                 expires_in_days: int | None = None) -> str:
    """An API token for the user with this email (services.tokens has the rest: list, revoke)."""
    return create_token_for(engine, email, name=name, now=now, expires_in_days=expires_in_days).token
