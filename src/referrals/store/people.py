"""Users as the people leads name and tell: a lead's owner as readers see them, and as an email recipient."""

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import Connection, select

from referrals.domain.notify import Person
from referrals.store.tables import users


class Owner(NamedTuple):
    id: str
    email: str
    name: str


def owners(conn: Connection, user_ids: Iterable[str | None]) -> dict[str, Owner]:
    """The users behind these owner ids (a page of leads names a handful), by id."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    rows = conn.execute(select(users.c.id, users.c.email, users.c.name).where(users.c.id.in_(ids))).all()
    return {r.id: Owner(r.id, r.email, r.name) for r in rows}


def recipient(conn: Connection, user_id: str) -> Person | None:
    """The active user as an email recipient: their language, notification address and new-lead rhythm."""
    row = conn.execute(
        select(users.c.email, users.c.language, users.c.notification_email, users.c.new_lead_emails)
        .where(users.c.id == user_id, users.c.active.is_(True))
    ).first()
    if row is None:
        return None
    return Person(row.email, row.language or "en", row.notification_email, row.new_lead_emails)
