"""Signed-in sessions, found by the hash of their key. A session of a deactivated user is nobody's."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from referrals.store.tables import sessions, users
from referrals.store.users import UserAndPartner, select_with_partner, user_and_partner


class Found(NamedTuple):
    user: UserAndPartner
    created_at: datetime
    last_seen_at: datetime


def add(conn: Connection, key_hash: str, user_id: str, now: datetime) -> None:
    conn.execute(insert(sessions).values(key_hash=key_hash, user_id=user_id, created_at=now, last_seen_at=now))


def find(conn: Connection, key_hash: str) -> Found | None:
    """The session with this key hash and its active user with their partner, in one query: every page asks."""
    row = conn.execute(
        select_with_partner(sessions.c.created_at.label("session_created_at"), sessions.c.last_seen_at)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.key_hash == key_hash)
    ).first()
    return None if row is None else Found(user_and_partner(row), row.session_created_at, row.last_seen_at)


def touch(conn: Connection, key_hash: str, now: datetime, stale_before: datetime) -> None:
    """Move last_seen_at to now, unless another request already did since `stale_before`."""
    conn.execute(
        update(sessions)
        .where(sessions.c.key_hash == key_hash, sessions.c.last_seen_at <= stale_before)
        .values(last_seen_at=now)
    )


def end(conn: Connection, key_hash: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.key_hash == key_hash))


def end_all(conn: Connection, user_id: str) -> int:
    """End every session of the user; answers how many there were."""
    return conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


def _dead(idle_since: datetime, started_since: datetime):
    return or_(sessions.c.last_seen_at <= idle_since, sessions.c.created_at <= started_since)


def end_expired(conn: Connection, user_id: str, idle_since: datetime, started_since: datetime) -> None:
    """Forget the user's sessions last seen at or before `idle_since` or begun at or before `started_since`."""
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id, _dead(idle_since, started_since)))


def live_count(conn: Connection, user_id: str, idle_since: datetime, started_since: datetime) -> int:
    return conn.execute(
        select(func.count()).select_from(sessions)
        .where(sessions.c.user_id == user_id, ~_dead(idle_since, started_since))
    ).scalar_one()
