"""Reading leads: the list page, one lead with its history, tab counts, favourites."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.lead import Lead
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab
from referrals.store import favorites, listing, people, urgency_page
from referrals.store.db import reading, writing
from referrals.store.leads import load_history, load_lead
from referrals.store.listed import ListedLead
from referrals.store.people import Owner


@dataclass(frozen=True)
class LeadPage:
    items: list[ListedLead]  # the list's read model: each lead's row with the user's heart
    next_cursor: str | None


@dataclass(frozen=True)
class LeadDetail:
    lead: Lead
    favorite: bool
    history: list[dict]
    owner: Owner | None = None


def list_leads(engine: Engine, principal: Principal, request: PageRequest, *, now: datetime | None = None) -> LeadPage:
    """One page of the list; the urgency sort reads the leads as they stand `now` (or at its cursor's moment)."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        if request.sort is Sort.URGENCY:
            if now is None:
                raise ValueError("the urgency sort needs the moment it is read at")
            items, next_cursor = urgency_page.page(conn, partner_id, principal.user_id, request, now)
        else:
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
        favorite = favorites.is_favorite(conn, partner_id, principal.user_id, lead_id)
        history = load_history(conn, partner_id, lead_id)
        owner = people.owners(conn, [lead.owner_id]).get(lead.owner_id or "")
    return LeadDetail(lead, favorite, history, owner)


def viewer_facts(engine: Engine, principal: Principal, lead: Lead) -> tuple[bool, Owner | None]:
    """For an answer that already holds the lead: the user's heart on it and its owner."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        favorite = favorites.is_favorite(conn, partner_id, principal.user_id, lead.id)
        owner = people.owners(conn, [lead.owner_id]).get(lead.owner_id or "")
    return favorite, owner


def owner_of(engine: Engine, lead: Lead) -> Owner | None:
    """The owner of a lead the caller already may read (a lead it just made, say)."""
    if lead.owner_id is None:
        return None
    with reading(engine) as conn:
        return people.owners(conn, [lead.owner_id]).get(lead.owner_id)


def is_favorite(engine: Engine, principal: Principal, lead_id: str) -> bool:
    """Whether this user hearted the lead (one key lookup; for answers that already hold the lead)."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        return favorites.is_favorite(conn, partner_id, principal.user_id, lead_id)


def set_favorite(engine: Engine, principal: Principal, lead_id: str, favorite: bool, *, now: datetime) -> bool:
    """Heart or un-heart a lead for this user (any lead of the partner, archived ones too). Idempotent."""
    partner_id = principal.partner_scope()
    with writing(engine) as conn:
        load_lead(conn, partner_id, lead_id)  # 404 for unknown and other partners' leads alike
        if favorite:
            favorites.heart(conn, partner_id, principal.user_id, lead_id, now)
        else:
            favorites.unheart(conn, partner_id, principal.user_id, lead_id)
    return favorite
