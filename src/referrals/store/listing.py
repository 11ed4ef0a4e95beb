"""The lead list: filters, sorts and keyset pages, all led by partner_id so each query walks one
partner's slice of an index; and the streaming read behind the export."""

import base64
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, exists, func, literal, select, tuple_

from referrals.domain.enums import QUALIFIED, Qualification
from referrals.domain.errors import InvalidInput
from referrals.domain.lead import Lead
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab
from referrals.domain.text import fold
from referrals.store.leadrows import row_to_lead
from referrals.store.tables import favorites, leads

_SORT_KEYS = {
    Sort.NEWEST: leads.c.created_at,
    Sort.OLDEST: leads.c.created_at,
    Sort.CUSTOMER: leads.c.customer_key,
    Sort.QUALITY: leads.c.quality_probability,
    Sort.DEADLINE: leads.c.deadline_at,
    Sort.VALUE: func.coalesce(leads.c.deal_amount, -1),
}


def _is_favorite(user_id: str | None):
    if user_id is None:
        return literal(False)
    return exists().where(
        favorites.c.partner_id == leads.c.partner_id,
        favorites.c.user_id == user_id,
        favorites.c.lead_id == leads.c.id,
    )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(partner_id: str, user_id: str | None, f: LeadFilter) -> Select:
    """Every lead of one partner matching the filter, with the user's favourite flag."""
    query = select(leads, _is_favorite(user_id).label("favorite")).where(leads.c.partner_id == partner_id)
    if f.tab is Tab.MARKETPLACE:
        query = query.where(leads.c.qualification == Qualification.DIRECT.value)
    elif f.tab is Tab.QUALIFIED:
        query = query.where(leads.c.qualification.in_(sorted(QUALIFIED)))
    elif f.tab is Tab.FAVORITES:
        query = query.where(_is_favorite(user_id))
    for column, values in (
        (leads.c.call_to_action, f.call_to_action),
        (leads.c.customer_country, {country.upper() for country in f.country}),
        (leads.c.source, f.source),
        (leads.c.type, f.type),
        (leads.c.quality_label, f.quality),
        (leads.c.status, f.status),
        (leads.c.outcome, f.outcome),
        (leads.c.email_validity, f.email_validity),
        (leads.c.phone_validity, f.phone_validity),
    ):
        if values:
            query = query.where(column.in_(sorted(str(v) for v in values)))
    if f.status:  # informational leads need no answer and have no status to filter on (PRODUCT.md 4)
        query = query.where(leads.c.informational.is_(False))
    if f.customer.strip():
        pattern = f"%{_escape_like(fold(f.customer.strip()))}%"
        query = query.where(leads.c.customer_key.like(pattern, escape="\\"))
    if f.spam is not None:
        query = query.where(leads.c.spam == f.spam)
    return query


def _ordered(query: Select, sort: Sort) -> Select:
    key = _SORT_KEYS[sort]
    if sort.descending:
        return query.order_by(key.desc(), leads.c.id.desc())
    return query.order_by(key.asc(), leads.c.id.asc())


def page(conn: Connection, partner_id: str, user_id: str | None, request: PageRequest):
    """One keyset page: (leads with favourite flags, next cursor or None)."""
    query = _ordered(filtered(partner_id, user_id, request.filter), request.sort)
    if request.cursor:
        value, last_id = decode_cursor(request.cursor, request.sort)
        key = _SORT_KEYS[request.sort]
        after = tuple_(literal(value, type_=key.type), literal(last_id, type_=leads.c.id.type))
        if request.sort.descending:
            query = query.where(tuple_(key, leads.c.id) < after)
        else:
            query = query.where(tuple_(key, leads.c.id) > after)
    rows = conn.execute(query.limit(request.limit + 1)).all()
    items = [(row_to_lead(r), bool(r.favorite)) for r in rows[: request.limit]]
    next_cursor = None
    if len(rows) > request.limit:
        last = rows[request.limit - 1]
        next_cursor = encode_cursor(request.sort, _sort_value(last, request.sort), last.id)
    return items, next_cursor


def stream(conn: Connection, partner_id: str, user_id: str | None, f: LeadFilter, sort: Sort,
           batch: int = 2000) -> Iterator[tuple[Lead, bool]]:
    """Every matching lead, read through a server-side cursor so memory stays flat."""
    query = _ordered(filtered(partner_id, user_id, f), sort)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
    for row in result:
        yield row_to_lead(row), bool(row.favorite)


def count(conn: Connection, partner_id: str, user_id: str | None, f: LeadFilter) -> int:
    inner = filtered(partner_id, user_id, f).with_only_columns(leads.c.id).subquery()
    return conn.execute(select(func.count()).select_from(inner)).scalar_one()


def _sort_value(row: Any, sort: Sort) -> Any:
    m = row._mapping
    if sort is Sort.VALUE:
        return m["deal_amount"] if m["deal_amount"] is not None else Decimal(-1)
    return m[_SORT_KEYS[sort].key]


def encode_cursor(sort: Sort, value: Any, last_id: str) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps([sort.value, value, last_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_name, value, last_id = json.loads(raw)
        if sort_name != sort.value or not isinstance(last_id, str):
            raise ValueError("the cursor belongs to another sort")
        if sort in (Sort.NEWEST, Sort.OLDEST, Sort.DEADLINE):
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("a cursor's time must carry its zone")
        elif sort in (Sort.QUALITY, Sort.VALUE):
            value = Decimal(value)
            if not value.is_finite():
                raise ValueError("bad cursor value")
        elif not isinstance(value, str):
            raise ValueError("bad cursor value")
    except (ValueError, TypeError, ArithmeticError) as error:
        raise InvalidInput(
            "The cursor is not valid for this list; start again from the first page.",
            fields={"cursor": "is not valid for this list"},
        ) from error
    return value, last_id

