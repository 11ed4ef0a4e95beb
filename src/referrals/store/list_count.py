"""How many leads a list view holds, counted only up to a cap: `SELECT count(*) FROM (SELECT 1 ... LIMIT cap+1)`.

Outside the favorites tab the count reads `leads` alone (no favourites join, no `id`), so ix_leads_count, which holds
every column a fixed-vocabulary filter tests, answers it from its entries without reading a row: at most cap + 1
matching entries, or the partner's tab when fewer match. A text filter (`q`, `customer`) still reads rows."""

from functools import lru_cache

from sqlalchemy import Connection, Select, func, literal_column, select

from referrals.domain.list_position import COUNT_CAP
from referrals.domain.listing import LeadFilter, Tab
from referrals.store.listing import bind_scope, filtered
from referrals.store.tables import leads


@lru_cache(maxsize=512)
def _statement(f: LeadFilter, cap: int) -> Select:
    """Built once per filter, like the page's own statement; the partner and the user are bound per execution."""
    listed = filtered(f)
    if f.tab is Tab.FAVORITES:  # the reader's hearts: the join to favorites is the filter
        matching = listed.with_only_columns(literal_column("1"), maintain_column_froms=True)
    else:
        matching = select(literal_column("1")).select_from(leads).where(listed.whereclause)
    return select(func.count()).select_from(matching.limit(cap + 1).subquery())


def capped_count(conn: Connection, partner_id: str, user_id: str | None, f: LeadFilter,
                 cap: int = COUNT_CAP) -> int:
    """The leads of the view, or cap + 1 when there are more than cap."""
    return conn.execute(_statement(f, cap), bind_scope(partner_id, user_id)).scalar_one()
