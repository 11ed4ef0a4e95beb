"""Password-reset links, by the hash of their token: good once, until they expire, for an active user."""

from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from referrals.store.tables import password_resets, users


def add(conn: Connection, token_hash: str, user_id: str, now: datetime, expires_at: datetime) -> None:
    conn.execute(insert(password_resets).values(token_hash=token_hash, user_id=user_id, created_at=now,
                                                expires_at=expires_at))


def made_since(conn: Connection, user_id: str, since: datetime) -> int:
    """How many links the user was sent after `since`."""
    return conn.execute(
        select(func.count()).select_from(password_resets)
        .where(password_resets.c.user_id == user_id, password_resets.c.created_at > since)
    ).scalar_one()


def _usable(token_hash: str, now: datetime):
    active = select(users.c.id).where(users.c.active.is_(True))
    return (password_resets.c.token_hash == token_hash, password_resets.c.used_at.is_(None),
            password_resets.c.expires_at > now, password_resets.c.user_id.in_(active))


def usable(conn: Connection, token_hash: str, now: datetime) -> bool:
    return conn.execute(select(password_resets.c.user_id).where(*_usable(token_hash, now))).first() is not None


def use(conn: Connection, token_hash: str, now: datetime) -> str | None:
    """Spend the link and answer whose it was; None when it is unknown, used, expired or its user inactive.
    The conditional UPDATE lets exactly one of two simultaneous uses through."""
    return conn.execute(
        update(password_resets).where(*_usable(token_hash, now)).values(used_at=now)
        .returning(password_resets.c.user_id)
    ).scalar_one_or_none()


def spend_all(conn: Connection, user_id: str, now: datetime) -> None:
    """Every link the user still holds stops working (their password just changed)."""
    conn.execute(
        update(password_resets)
        .where(password_resets.c.user_id == user_id, password_resets.c.used_at.is_(None))
        .values(used_at=now)
    )
