"""The action center: each lead that waits for an answer (received and actionable) is a recommended
action for the partner's Referrals admins, unread for each of them until they open or dismiss it, and
gone as soon as anyone acts on the lead (the lead leaves the received state)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, exists, func, select

from referrals.domain.access import Principal
from referrals.domain.enums import Status
from referrals.domain.lead import Lead
from referrals.store.db import constant, reading, writing
from referrals.store.leadrows import row_to_lead
from referrals.store.tables import action_reads, leads
from referrals.store.upsert import insert_ignore

MAX_ITEMS = 200


@dataclass(frozen=True)
class ActionItem:
    lead: Lead
    read: bool


def _waiting(partner_id: str):
    """Received leads that need an answer: only those have a response deadline (informational leads do not).
    Written as the predicate of the partial index `ix_leads_waiting`, with the status inline, so the database
    can count and order them from that index alone."""
    return and_(
        leads.c.partner_id == partner_id,
        leads.c.status == constant(Status.RECEIVED.value),
        leads.c.response_due_at.is_not(None),
    )


def _read_by(user_id: str):
    return exists().where(
        action_reads.c.partner_id == leads.c.partner_id,
        action_reads.c.user_id == user_id,
        action_reads.c.lead_id == leads.c.id,
    )


def unread_count(engine: Engine, principal: Principal, *, up_to: int | None = None) -> int:
    """How many waiting leads this user has not read; with `up_to`, counting stops there (the bell on every page
    shows "99+", and a partner with 24,000 waiting leads should not pay for counting them all on each page)."""
    partner_id = principal.partner_scope(acting=True)
    unread = select(leads.c.id).where(_waiting(partner_id), ~_read_by(principal.user_id))
    if up_to is not None:
        unread = unread.limit(up_to)
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(unread.subquery())).scalar_one()


def action_items(engine: Engine, principal: Principal, *, limit: int = 50) -> list[ActionItem]:
    """The waiting leads, closest deadline first, each with this user's read mark."""
    partner_id = principal.partner_scope(acting=True)
    with reading(engine) as conn:
        rows = conn.execute(
            select(leads, _read_by(principal.user_id).label("read"))
            .where(_waiting(partner_id))
            .order_by(leads.c.response_due_at, leads.c.id)
            .limit(max(1, min(limit, MAX_ITEMS)))
        ).all()
    return [ActionItem(row_to_lead(row), bool(row.read)) for row in rows]


def mark_read(engine: Engine, principal: Principal, lead_ids: list[str] | None, *, now: datetime) -> int:
    """Mark some waiting leads (or, with None, all of them) read for this user; answers the unread count."""
    partner_id = principal.partner_scope(acting=True)
    with writing(engine) as conn:
        query = select(leads.c.id).where(_waiting(partner_id), ~_read_by(principal.user_id))
        if lead_ids is not None:
            query = query.where(leads.c.id.in_(lead_ids[:MAX_ITEMS]))
        ids = list(conn.execute(query).scalars())
        insert_ignore(conn, action_reads, [
            {"partner_id": partner_id, "user_id": principal.user_id, "lead_id": lead_id, "read_at": now}
            for lead_id in ids
        ], ["partner_id", "user_id", "lead_id"])
    return unread_count(engine, principal)
