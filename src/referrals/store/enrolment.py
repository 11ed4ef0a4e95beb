"""Enrolling partners and people in the program: new partners, the inbound keys of their locations, and users
(their API tokens are store.tokens'). Keys are stored only as hashes."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from referrals.domain.enums import Role
from referrals.store.tables import inbound_keys, locations, partners, users


def add_partner(conn: Connection, partner_id: str, name: str, timezone: str, now: datetime) -> None:
    conn.execute(insert(partners).values(id=partner_id, name=name, timezone=timezone, created_at=now))


def partner_of_location(conn: Connection, location_id: str) -> str | None:
    """Whose location this is (location ids are unique program-wide); None when there is no such location."""
    row = conn.execute(select(locations.c.partner_id).where(locations.c.id == location_id)).first()
    return None if row is None else row.partner_id


def add_inbound_key(conn: Connection, key_hash: str, partner_id: str, location_id: str, now: datetime) -> None:
    conn.execute(
        insert(inbound_keys).values(key_hash=key_hash, partner_id=partner_id, location_id=location_id, created_at=now)
    )


def revoke_inbound_keys(conn: Connection, location_id: str, now: datetime) -> None:
    """Revoke every live key of the location."""
    conn.execute(
        update(inbound_keys)
        .where(inbound_keys.c.location_id == location_id, inbound_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def user_id_by_email(conn: Connection, email: str) -> str | None:
    """The user with this (normalised) email, active or not."""
    row = conn.execute(select(users.c.id).where(users.c.email == email)).first()
    return None if row is None else row.id


def add_user(
    conn: Connection, user_id: str, email: str, *, name: str, partner_id: str | None, roles: Iterable[Role],
    password_hash: str | None, language: str | None, now: datetime,
) -> None:
    """Roles are stored as one space-separated, sorted string."""
    conn.execute(
        insert(users).values(
            id=user_id, email=email, name=name, partner_id=partner_id,
            roles=" ".join(sorted(r.value for r in roles)),
            password_hash=password_hash, language=language, created_at=now,
        )
    )
