"""Reading leads: the list page, one lead with its history, tab counts, favourites."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, select

from referrals.domain.access import Principal
from referrals.domain.lead import Lead
from referrals.domain.listing import LeadFilter, PageRequest, Tab
from referrals.store import listing
from referrals.store.db import reading, writing
from referrals.store.leads import load_history, load_lead
from referrals.store.tables import favorites
from referrals.store.upsert import insert_ignore


@dataclass(frozen=True)
class LeadPage:
    items: list[tuple[Lead, bool]]  # each lead with the user's favourite flag
    next_cursor: str | None


@dataclass(frozen=True)
class LeadDetail:
    lead: Lead
    favorite: bool
    history: list[dict]


def list_leads(engine: Engine, principal: Principal, request: PageRequest) -> LeadPage:
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        items, next_cursor = listing.page(conn, partner_id, principal.user_id, request)
    return LeadPage(items, next_cursor)


def tab_counts(engine: Engine, principal: Principal, lead_filter: LeadFilter) -> dict[Tab, int]:
    """How many leads each tab holds under the filter (its own tab ignored)."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        return listing.tab_counts(conn, partner_id, principal.user_id, lead_filter)


def get_lead(engine: Engine, principal: Principal, lead_id: str) -> LeadDetail:
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        lead = load_lead(conn, partner_id, lead_id)
        favorite = _is_favorite(conn, partner_id, principal.user_id, lead_id)
        history = load_history(conn, partner_id, lead_id)
    return LeadDetail(lead, favorite, history)


def is_favorite(engine: Engine, principal: Principal, lead_id: str) -> bool:
    """Whether this user hearted the lead (one key lookup; for answers that already hold the lead)."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        return _is_favorite(conn, partner_id, principal.user_id, lead_id)


def _is_favorite(conn, partner_id: str, user_id: str, lead_id: str) -> bool:
    return (
        conn.execute(
            select(favorites.c.lead_id).where(
                favorites.c.partner_id == partner_id,
                favorites.c.user_id == user_id,
                favorites.c.lead_id == lead_id,
            )
        ).first()
        is not None
    )


def set_favorite(engine: Engine, principal: Principal, lead_id: str, favorite: bool, *, now: datetime) -> bool:
    """Heart or un-heart a lead for this user (any lead of the partner, archived ones too). Idempotent."""
    partner_id = principal.partner_scope()
    with writing(engine) as conn:
        load_lead(conn, partner_id, lead_id)  # 404 for unknown and other partners' leads alike
        if favorite:
            # Insert-or-ignore: two concurrent hearts (double click, two tabs) both succeed, one row stays.
            row = {"partner_id": partner_id, "user_id": principal.user_id, "lead_id": lead_id, "created_at": now}
            insert_ignore(conn, favorites, [row], ["partner_id", "user_id", "lead_id"])
        else:
            conn.execute(
                delete(favorites).where(
                    favorites.c.partner_id == partner_id,
                    favorites.c.user_id == principal.user_id,
                    favorites.c.lead_id == lead_id,
                )
            )
    return favorite
