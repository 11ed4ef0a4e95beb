"""How many leads a list view holds, counted only up to a cap: `SELECT count(*) FROM (SELECT id ... LIMIT cap+1)`
walks at most cap + 1 entries of the list's own index, however many leads the partner has."""

from functools import lru_cache

from sqlalchemy import Connection, Select, func, select

from referrals.domain.list_position import COUNT_CAP
from referrals.domain.listing import LeadFilter
from referrals.store.listing import bind_scope, filtered
from referrals.store.tables import leads


@lru_cache(maxsize=512)
def _statement(f: LeadFilter, cap: int) -> Select:
    """Built once per filter, like the page's own statement; the partner and the user are bound per execution."""
    ids = filtered(f).with_only_columns(leads.c.id, maintain_column_froms=True).limit(cap + 1).subquery()
    return select(func.count()).select_from(ids)


def capped_count(conn: Connection, partner_id: str, user_id: str | None, f: LeadFilter,
                 cap: int = COUNT_CAP) -> int:
    """The leads of the view, or cap + 1 when there are more than cap."""
    return conn.execute(_statement(f, cap), bind_scope(partner_id, user_id)).scalar_one()
