"""The three tab counts of the lead list in one query (services.reading.tab_counts runs one per tab)."""

from dataclasses import replace

from sqlalchemy import Engine, case, func, select

from referrals.domain.access import Principal
from referrals.domain.enums import QUALIFIED, Qualification
from referrals.domain.listing import LeadFilter, Tab
from referrals.store import listing
from referrals.store.db import reading


def tab_totals(engine: Engine, principal: Principal, lead_filter: LeadFilter) -> dict[Tab, int]:
    partner_id = principal.partner_scope()
    rows = listing.filtered(partner_id, principal.user_id, replace(lead_filter, tab=None)).subquery()

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        total(rows.c.qualification == Qualification.DIRECT.value),
        total(rows.c.qualification.in_(sorted(QUALIFIED))),
        total(rows.c.favorite),
    )
    with reading(engine) as conn:
        marketplace, qualified, favorites = conn.execute(query).one()
    return {Tab.MARKETPLACE: int(marketplace), Tab.QUALIFIED: int(qualified), Tab.FAVORITES: int(favorites)}
