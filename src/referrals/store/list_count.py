"""How many leads a list view holds, counted only up to a cap: `SELECT count(*) FROM (SELECT 1 ... LIMIT cap+1)`.

Outside the favorites tab the count reads `leads` alone (no favourites join, no `id`), so ix_leads_count, which holds
every column a fixed-vocabulary filter tests, answers it from its entries without reading a row: at most cap + 1
matching entries, or the partner's tab when fewer match. A search (`q`) on SQLite first finds its leads on
`ix_leads_search` (the search text is in that index) and reads only their rows; `customer` still reads rows."""

from dataclasses import replace
from functools import lru_cache

from sqlalchemy import Connection, Select, bindparam, func, literal_column, select

from referrals.domain.list_position import Count, count_cap
from referrals.domain.listing import LeadFilter, Tab
from referrals.store.listing import bind_scope, conditions, filtered
from referrals.store.scope import of_partner
from referrals.store.tables import ID, leads


@lru_cache(maxsize=512)
def _statement(f: LeadFilter, cap: int, dialect: str) -> Select:
    """Built once per filter, like the page's own statement; the partner and the user are bound per execution."""
    listed = filtered(f)
    if f.tab is Tab.FAVORITES:  # the reader's hearts: the join to favorites is the filter
        matching = listed.with_only_columns(literal_column("1"), maintain_column_froms=True)
    else:
        source = leads
        if dialect == "sqlite" and f.q.strip():  # the search's rows first, then only theirs are read
            found = _searched(f.q)
            source = found.join(leads, literal_column("leads.rowid") == found.c.found_rowid)
        matching = select(literal_column("1")).select_from(source).where(listed.whereclause)
    return select(func.count()).select_from(matching.limit(cap + 1).subquery())


def _searched(term: str):
    """The rowids of the partner's leads a search finds, read from ix_leads_search, which holds the search text."""
    search = conditions(None, replace(LeadFilter(), q=term))
    return (select(literal_column("rowid").label("found_rowid")).select_from(leads)
            .where(of_partner(leads, bindparam("scope_partner", type_=ID)), *search).subquery("found"))


def capped_count(conn: Connection, partner_id: str, user_id: str | None, f: LeadFilter,
                 cap: int | None = None) -> Count:
    """The leads of the view, exact up to the cap (the view's own, domain/list_position.py: count_cap)."""
    cap = count_cap(f) if cap is None else cap
    counted = conn.execute(_statement(f, cap, conn.dialect.name), bind_scope(partner_id, user_id)).scalar_one()
    return Count.of(counted, cap=cap)
