"""The action center: each lead that waits for an answer (received and actionable) is a recommended
action for the partner's Referrals admins, unread for each of them until they open or dismiss it, and
gone as soon as anyone acts on the lead (the lead leaves the received state)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.lead import Lead
from referrals.store import action_center
from referrals.store.db import reading, writing

MAX_ITEMS = 200


@dataclass(frozen=True)
class ActionItem:
    lead: Lead
    read: bool


def unread_count(engine: Engine, principal: Principal, *, up_to: int | None = None) -> int:
    """How many waiting leads this user has not read; with `up_to`, counting stops there (the bell on every page
    shows "99+", and a partner with 24,000 waiting leads should not pay for counting them all on each page)."""
    partner_id = principal.partner_scope(acting=True)
    with reading(engine) as conn:
        return action_center.count_unread(conn, partner_id, principal.user_id, up_to=up_to)


@dataclass(frozen=True)
class Tally:
    """What the action center counts: the leads that wait for an answer, and those of them this user has not opened
    (the bell's number). Each stops at `up_to` when given."""

    waiting: int
    unread: int


def tally(engine: Engine, principal: Principal, *, up_to: int | None = None) -> Tally:
    partner_id = principal.partner_scope(acting=True)
    with reading(engine) as conn:
        return Tally(action_center.count_waiting(conn, partner_id, up_to=up_to),
                     action_center.count_unread(conn, partner_id, principal.user_id, up_to=up_to))


def action_items(engine: Engine, principal: Principal, *, limit: int = 50) -> list[ActionItem]:
    """The waiting leads, closest deadline first, each with this user's read mark."""
    partner_id = principal.partner_scope(acting=True)
    with reading(engine) as conn:
        waiting = action_center.waiting(conn, partner_id, principal.user_id, limit=max(1, min(limit, MAX_ITEMS)))
    return [ActionItem(lead, read) for lead, read in waiting]


def mark_read(engine: Engine, principal: Principal, lead_ids: list[str] | None, *, now: datetime) -> int:
    """Mark some waiting leads (or, with None, all of them) read for this user; answers the unread count."""
    partner_id = principal.partner_scope(acting=True)
    chosen = None if lead_ids is None else lead_ids[:MAX_ITEMS]
    with writing(engine) as conn:
        action_center.mark_read(conn, partner_id, principal.user_id, chosen, now)
    return unread_count(engine, principal)
