"""New-lead emails held for a digest: each recipient's daily count and the items held beyond the threshold,
until the end-of-day digest marks them sent."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from referrals.store.tables import daily_tally, digest_items
from referrals.store.upsert import increment


def count_new_lead_email(conn: Connection, recipient: str, day: date) -> int:
    """One more new-lead email for this recipient on this local day; answers the day's count so far."""
    return increment(conn, daily_tally, {"recipient": recipient, "day": day}, "count")


def hold(conn: Connection, *, recipient: str, day: date, lead_id: str, partner_id: str, timezone: str,
         language: str, context: dict[str, Any]) -> None:
    conn.execute(
        insert(digest_items).values(
            recipient=recipient, day=day, lead_id=lead_id, partner_id=partner_id,
            timezone=timezone, language=language, context=context,
        )
    )


def pending_days(conn: Connection) -> list[Row]:
    """Each (recipient, day, timezone) with items not yet digested."""
    return conn.execute(
        select(digest_items.c.recipient, digest_items.c.day, digest_items.c.timezone)
        .where(digest_items.c.digested_at.is_(None))
        .distinct()
    ).all()


def _pending(recipient: str, day: date):
    return (digest_items.c.recipient == recipient, digest_items.c.day == day, digest_items.c.digested_at.is_(None))


def held_items(conn: Connection, recipient: str, day: date) -> list[Row]:
    """The items of one recipient's day still waiting for their digest, in lead order."""
    return conn.execute(
        select(digest_items).where(*_pending(recipient, day)).order_by(digest_items.c.lead_id)
    ).all()


def mark_digested(conn: Connection, recipient: str, day: date, now: datetime) -> None:
    conn.execute(update(digest_items).where(*_pending(recipient, day)).values(digested_at=now))
