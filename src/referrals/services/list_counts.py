"""How many leads a list view holds, for the pages: exact where it is cheap (an unfiltered tab reads the partner's
tallies), else a COUNT capped at 10,000 ("10,000+"; a search's at 1,000)."""

from dataclasses import replace

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.list_position import Count
from referrals.domain.listing import LeadFilter, Tab
from referrals.store import list_count, listing
from referrals.store.db import reading


def count_leads(engine: Engine, principal: Principal, lead_filter: LeadFilter) -> Count:
    """The leads of one view (its tab and filters), exact up to the cap."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        return list_count.capped_count(conn, partner_id, principal.user_id, lead_filter)


def tab_counts(engine: Engine, principal: Principal, lead_filter: LeadFilter, *,
               known: int | None = None) -> dict[Tab, Count | None]:
    """The counts a list page is served with: every tab exact from the tallies without a filter; with one, the
    filter's own tab capped (`known`: its count when the caller already has it, a first page shorter than a page).
    None: not counted here (`other_tabs` counts them, in a request of their own)."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        if not lead_filter.active():
            exact = listing.tab_counts(conn, partner_id, principal.user_id, lead_filter)
            return {tab: Count.of(n, exact=True) for tab, n in exact.items()}
        counts: dict[Tab, Count | None] = dict.fromkeys(Tab)
        counts[lead_filter.tab] = (Count.of(known) if known is not None else
                                   list_count.capped_count(conn, partner_id, principal.user_id, lead_filter))
        return counts


def other_tabs(engine: Engine, principal: Principal, lead_filter: LeadFilter) -> dict[Tab, Count]:
    """Under a filter, the other tabs' leads, capped, where a count reads index entries alone: not with a text
    filter (a search walks every entry of the partner's search index, a customer name reads every row) and not the
    favorites tab (each of the reader's hearts is a row read). Nothing without a filter (the page has the tallies)."""
    partner_id = principal.partner_scope()
    if not lead_filter.active():
        return {}
    with reading(engine) as conn:
        return {tab: list_count.capped_count(conn, partner_id, principal.user_id, replace(lead_filter, tab=tab))
                for tab in Tab if tab is not lead_filter.tab and _cheap(tab, lead_filter)}


def _cheap(tab: Tab, lead_filter: LeadFilter) -> bool:
    return tab is not Tab.FAVORITES and not lead_filter.has_text()
