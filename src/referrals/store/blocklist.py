"""The program's spam block list: one row per blocked address or domain."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, delete, insert, select, update

from referrals.store.tables import blocklist


def find_entry(conn: Connection, entry: str) -> Row | None:
    return conn.execute(select(blocklist).where(blocklist.c.entry == entry)).first()


def add_entry(conn: Connection, entry: str, reason: str, now: datetime) -> None:
    conn.execute(insert(blocklist).values(entry=entry, reason=reason, created_at=now))


def set_reason(conn: Connection, entry: str, reason: str) -> None:
    conn.execute(update(blocklist).where(blocklist.c.entry == entry).values(reason=reason))


def remove_entry(conn: Connection, entry: str) -> int:
    """Answers how many rows went (0 when the entry was not listed)."""
    return conn.execute(delete(blocklist).where(blocklist.c.entry == entry)).rowcount


def all_entries(conn: Connection) -> Sequence[Row]:
    """Every entry with its reason and date, alphabetically, for the people who edit the list."""
    return conn.execute(select(blocklist).order_by(blocklist.c.entry)).all()


def entries_and_reasons(conn: Connection) -> Sequence[Row]:
    """The list as screening needs it: only the entries and their reasons, in no particular order."""
    return conn.execute(select(blocklist.c.entry, blocklist.c.reason)).all()
