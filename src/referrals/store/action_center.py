"""The action center's reads: a partner's waiting leads and each user's read marks. Every statement is
written to be answered from the partial index `ix_leads_waiting` (the bell runs on every page)."""

from datetime import datetime

from sqlalchemy import Connection, and_, exists, func, select

from referrals.domain.enums import Status
from referrals.domain.lead import Lead
from referrals.store.db import constant
from referrals.store.leadrows import row_to_lead
from referrals.store.scope import of_partner
from referrals.store.tables import action_reads, leads
from referrals.store.upsert import insert_ignore


def _waiting(partner_id: str):
    """Received leads that need an answer: only those have a response deadline (informational leads do not).
    Written as the predicate of the partial index `ix_leads_waiting`, with the status inline, so the database
    can count and order them from that index alone."""
    return and_(
        of_partner(leads, partner_id),
        leads.c.status == constant(Status.RECEIVED.value),
        leads.c.response_due_at.is_not(None),
    )


def _read_by(user_id: str):
    return exists().where(
        action_reads.c.partner_id == leads.c.partner_id,
        action_reads.c.user_id == user_id,
        action_reads.c.lead_id == leads.c.id,
    )


def _unread(partner_id: str, user_id: str):
    return select(leads.c.id).where(_waiting(partner_id), ~_read_by(user_id))


def count_unread(conn: Connection, partner_id: str, user_id: str, *, up_to: int | None = None) -> int:
    """With `up_to`, counting stops there: a partner with 24,000 waiting leads does not count them all."""
    unread = _unread(partner_id, user_id)
    if up_to is not None:
        unread = unread.limit(up_to)
    return conn.execute(select(func.count()).select_from(unread.subquery())).scalar_one()


def count_waiting(conn: Connection, partner_id: str, *, up_to: int | None = None) -> int:
    """How many leads wait for an answer, read or not (from `ix_leads_waiting` alone); with `up_to`, counting stops."""
    waiting_ids = select(leads.c.id).where(_waiting(partner_id))
    if up_to is not None:
        waiting_ids = waiting_ids.limit(up_to)
    return conn.execute(select(func.count()).select_from(waiting_ids.subquery())).scalar_one()


def waiting(conn: Connection, partner_id: str, user_id: str, *, limit: int) -> list[tuple[Lead, bool]]:
    """The waiting leads, closest deadline first, each with whether this user has read it."""
    rows = conn.execute(
        select(leads, _read_by(user_id).label("read"))
        .where(_waiting(partner_id))
        .order_by(leads.c.response_due_at, leads.c.id)
        .limit(limit)
    ).all()
    return [(row_to_lead(row), bool(row.read)) for row in rows]


def mark_read(conn: Connection, partner_id: str, user_id: str, lead_ids: list[str] | None, now: datetime) -> None:
    """Mark the given waiting leads (all of them with None) read; leads no longer waiting are left alone."""
    query = _unread(partner_id, user_id)
    if lead_ids is not None:
        query = query.where(leads.c.id.in_(lead_ids))
    ids = list(conn.execute(query).scalars())
    insert_ignore(conn, action_reads, [
        {"partner_id": partner_id, "user_id": user_id, "lead_id": lead_id, "read_at": now}
        for lead_id in ids
    ], ["partner_id", "user_id", "lead_id"])
