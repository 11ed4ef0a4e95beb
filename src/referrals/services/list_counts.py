"""How many leads a list view holds, for the pages: exact where it is cheap (an unfiltered tab reads the partner's
tallies), else a COUNT capped at 10,000 ("10,000+")."""

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
        return Count.of(list_count.capped_count(conn, partner_id, principal.user_id, lead_filter))


def tab_counts(engine: Engine, principal: Principal, lead_filter: LeadFilter, *,
               known: int | None = None) -> dict[Tab, Count | None]:
    """Each tab's leads under the filter: exact from the tallies without a filter; with one, the filter's own tab
    capped (`known`: its count when the caller already has it, a first page shorter than a page), and the other
    tabs only where a capped count reads index entries alone: not with a text filter (a search walks every entry of
    the partner's search index, a customer name reads every row) and not the favorites tab (each of the reader's
    hearts is a row read). None: not counted."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        if not lead_filter.active():
            exact = listing.tab_counts(conn, partner_id, principal.user_id, lead_filter)
            return {tab: Count.of(n, exact=True) for tab, n in exact.items()}
        counts: dict[Tab, Count | None] = {}
        for tab in Tab:
            if tab is lead_filter.tab and known is not None:
                counts[tab] = Count.of(known)
            elif tab is lead_filter.tab or _cheap(tab, lead_filter):
                counts[tab] = Count.of(list_count.capped_count(conn, partner_id, principal.user_id,
                                                               replace(lead_filter, tab=tab)))
            else:
                counts[tab] = None
        return counts


def _cheap(tab: Tab, lead_filter: LeadFilter) -> bool:
    return tab is not Tab.FAVORITES and not (lead_filter.q.strip() or lead_filter.customer.strip())
