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
               known: int | None = None) -> dict[Tab, Count]:
    """Each tab's leads under the filter: exact from the tallies without a filter, capped with one (a grouped
    count of a big partner's matching leads would read every one of them). `known`: the filter's own tab's count
    when the caller already has it (a first page shorter than a page holds them all), not counted again."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        if not lead_filter.active():
            exact = listing.tab_counts(conn, partner_id, principal.user_id, lead_filter)
            return {tab: Count.of(n, exact=True) for tab, n in exact.items()}
        return {tab: Count.of(known) if tab is lead_filter.tab and known is not None
                else Count.of(list_count.capped_count(conn, partner_id, principal.user_id,
                                                      replace(lead_filter, tab=tab)))
                for tab in Tab}
