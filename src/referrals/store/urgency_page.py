"""Keyset pages of the urgency sort (store/urgency.py explains the groups): a page is read group by group, each group
on its own statement and index, until it is full; the cursor names the moment, the group and the last lead's place
in it. No OFFSET: a deep page costs what the first does."""

from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, Select, bindparam, tuple_

from referrals.domain.listing import LeadFilter, PageRequest, Sort
from referrals.store import urgency
from referrals.store.db import UTCDateTime
from referrals.store.listed import ListedLead
from referrals.store.listing import bind_scope, decode_cursor, encode_cursor, filtered, listed
from referrals.store.tables import leads

_MOMENT = bindparam("moment", type_=UTCDateTime())
_HOT_SINCE = bindparam("hot_since", type_=UTCDateTime())


@lru_cache(maxsize=512)
def _statement(f: LeadFilter, number: int, after_cursor: bool, limit: int) -> Select:
    """One group's page for a filter, built once; the scope, the moment and the position are bound per execution."""
    group = urgency.group(number, _MOMENT, _HOT_SINCE)
    # the waiting group tests a search term on the partner's waiting leads (store/unindexed.py: off_trigrams)
    query = filtered(f, trigrams=number != urgency.WAITING).where(group.where)
    key = leads.c[group.key]
    place = tuple_(key, leads.c.id)
    if after_cursor:
        after = tuple_(bindparam("after_value", type_=UTCDateTime()), bindparam("after_id", type_=leads.c.id.type))
        query = query.where(place < after if group.descending else place > after)
    if group.descending:
        query = query.order_by(key.desc(), leads.c.id.desc())
    else:
        query = query.order_by(key.asc(), leads.c.id.asc())
    return query.limit(limit + 1)


def page(conn: Connection, partner_id: str, user_id: str | None, request: PageRequest,
         now: datetime) -> tuple[list[ListedLead], str | None]:
    """One page sorted by urgency at `now`, or at the moment the cursor carries (its first page's)."""
    moment, first, after = now, urgency.HOT, None
    if request.cursor:
        (moment, first, key), last_id = decode_cursor(request.cursor, Sort.URGENCY)
        after = (key, last_id)
    params = {**bind_scope(partner_id, user_id), "moment": moment, "hot_since": urgency.hot_since(moment)}
    rows: list[tuple[int, object]] = []
    for number in urgency.GROUPS[first:]:
        resume = after is not None and number == first
        if resume:
            params["after_value"], params["after_id"] = after  # type: ignore[misc]
        statement = _statement(request.filter, number, resume, request.limit)
        rows += [(number, row) for row in conn.execute(statement, params).all()]
        if len(rows) > request.limit:
            break
    items = listed(conn, [row for _, row in rows[: request.limit]])
    if len(rows) <= request.limit:
        return items, None
    number, last = rows[request.limit - 1]
    key = last._mapping[urgency.KEYS[number]]  # type: ignore[attr-defined]
    return items, encode_cursor(Sort.URGENCY, (moment, number, key), last.id)  # type: ignore[attr-defined]
