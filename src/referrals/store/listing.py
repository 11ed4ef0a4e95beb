"""The lead list: filters, sorts and keyset pages, all led by partner_id so each query walks one
partner's slice of an index; and the streaming read behind the export."""

import base64
import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, func, or_, select, tuple_

from referrals.domain import lead_search
from referrals.domain.enums import QUALIFIED, CallToAction, Qualification
from referrals.domain.errors import InvalidInput
from referrals.domain.listing import (
    OWNER_ME,
    OWNER_NONE,
    FilterField,
    FilterKind,
    LeadFilter,
    PageRequest,
    Sort,
    Tab,
)
from referrals.domain.text import fold
from referrals.store import people, urgency
from referrals.store.listed import ListedLead
from referrals.store.scope import of_partner
from referrals.store.tables import ID, favorites, lead_tallies, leads
from referrals.store.unindexed import off_index, off_trigrams

_SORT_KEYS = {
    Sort.NEWEST: leads.c.created_at,
    Sort.OLDEST: leads.c.created_at,
    Sort.CUSTOMER: leads.c.customer_key,
    Sort.QUALITY: leads.c.quality_probability,
    Sort.DEADLINE: leads.c.deadline_at,
    Sort.VALUE: func.coalesce(leads.c.deal_amount, -1),
}


# Everything a Lead is built from; the raw marketplace payload is kept for the record, never listed.
LIST_COLUMNS = [column for column in leads.c if column.name != "raw_payload"]


def _favorites_of(user_id):
    """Join condition: this user's heart on the lead (the favorites primary key, one probe per lead)."""
    return and_(
        favorites.c.partner_id == leads.c.partner_id,
        favorites.c.user_id == user_id,
        favorites.c.lead_id == leads.c.id,
    )


# The list's SELECT, built once: sixty columns are costly to build on every request. The partner and the
# user are bound per execution (`bind_scope`).
_LISTED = (
    select(*LIST_COLUMNS, favorites.c.lead_id.is_not(None).label("favorite"))
    .select_from(leads.outerjoin(favorites, _favorites_of(bindparam("scope_user", type_=ID))))
    .where(of_partner(leads, bindparam("scope_partner", type_=ID)))
)


def bind_scope(partner_id: str, user_id: str | None) -> dict[str, str]:
    return {"scope_partner": partner_id, "scope_user": user_id or ""}


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(partner_id: str | None, f: LeadFilter) -> list:
    """The WHERE clauses of a filter, without its tab (and without the partner when None: bound later). Each
    clause is made from the filter's declaration (domain/listing.py: FILTERS) by its kind."""
    where = [] if partner_id is None else [of_partner(leads, partner_id)]
    for declared in f.active():
        where.extend(_CLAUSES[declared.kind](declared, getattr(f, declared.name)))
    return where


def _choices(declared: FilterField, values: frozenset) -> list:
    chosen = leads.c[declared.columns[0]].in_(sorted(str(v) for v in values))
    if CallToAction.CONTACT_ME in values:  # every lead whose customer asked to be contacted (domain/listing.py)
        chosen = or_(chosen, urgency.asks_for_contact())
    clauses = [chosen]
    if declared.actionable_only:  # informational leads need no answer and have no status to filter on
        clauses.append(leads.c.informational.is_(False))
    return clauses


def _countries(declared: FilterField, codes: frozenset[str]) -> list:
    return [leads.c[declared.columns[0]].in_(sorted({code.upper() for code in codes}))]


def _contains(term: str) -> str:
    """A LIKE pattern for a folded substring, its wildcards escaped."""
    return f"%{_escape_like(fold(term.strip()))}%"


def _text(declared: FilterField, term: str) -> list:
    return [leads.c[declared.columns[0]].like(_contains(term), escape="\\")] if term.strip() else []


def _search(declared: FilterField, term: str) -> list:
    """A part of the lead's folded search text (domain/lead_search.py: an expired lead's holds no contact details), by
    the folded term or its phone digits, or a whole lead id. SQLite walks `ix_leads_search` (the text is in the index,
    so no row is read until one matches); PostgreSQL's planner picks the trigram index for rare terms."""
    found = [leads.c.search_text.like(f"%{_escape_like(part)}%", escape="\\") for part in lead_search.patterns(term)]
    if found and (lead_id := lead_search.lead_id(term)) is not None:
        found.append(leads.c.id == lead_id)
    return [or_(*found)] if found else []


def _flag(declared: FilterField, value: bool) -> list:
    return [leads.c[declared.columns[0]] == value]


def _owner(declared: FilterField, value: str) -> list:
    """`me` is the reader, bound per execution like the partner (`bind_scope`), so one statement serves everyone."""
    column = leads.c[declared.columns[0]]
    if value == OWNER_NONE:
        return [column.is_(None)]
    return [column == (bindparam("scope_user", type_=ID) if value == OWNER_ME else value)]


_CLAUSES = {FilterKind.CHOICE: _choices, FilterKind.COUNTRY: _countries, FilterKind.TEXT: _text,
            FilterKind.SEARCH: _search, FilterKind.FLAG: _flag, FilterKind.OWNER: _owner}


def filtered(f: LeadFilter, *, search_walk: bool = True, trigrams: bool = True) -> Select:
    """Every lead matching the filter with the user's favourite flag; execute it with `bind_scope(...)`,
    which names the one partner (and user) it reads. With a search term and `search_walk`, SQLite is kept on the
    search's index (in creation order); a list in another order walks that order's index instead. Without
    `trigrams`, PostgreSQL tests the term on the rows another index finds (store/unindexed.py)."""
    where = conditions(None, f)
    if f.tab is Tab.MARKETPLACE:
        where.append(leads.c.qualification == Qualification.DIRECT.value)
    elif f.tab is Tab.QUALIFIED:
        where.append(leads.c.qualification.in_(sorted(QUALIFIED)))
    elif f.tab is Tab.FAVORITES:
        where.append(favorites.c.lead_id.is_not(None))
    if search_walk and lead_search.patterns(f.q):  # SQLite: walk the search's index (store/unindexed.py)
        where = [off_index(clause) for clause in where]
    if not trigrams and lead_search.patterns(f.q):
        where = [off_trigrams(clause) for clause in where]
    return _LISTED.where(*where)


def tab_counts(conn: Connection, partner_id: str, user_id: str | None, f: LeadFilter) -> dict[Tab, int]:
    """The three tabs' counts for a filter: the leads by kind, and the user's hearts. Without a filter they
    are the partner's tallies and the user's slice of the favorites key; with one, two grouped queries with
    no per-lead favourite probe (the user's hearts joined to the leads they mark)."""
    where = conditions(partner_id, f)
    mine = and_(of_partner(favorites, partner_id), favorites.c.user_id == (user_id or ""))
    if len(where) == 1:  # the partner alone: every lead
        by_kind = dict(conn.execute(
            select(lead_tallies.c.qualification, lead_tallies.c.leads).where(of_partner(lead_tallies, partner_id))
        ).all())
        hearts = conn.execute(select(func.count()).select_from(favorites).where(mine)).scalar_one()
    else:
        scope = bind_scope(partner_id, user_id)
        by_kind = dict(conn.execute(
            select(leads.c.qualification, func.count()).where(*where).group_by(leads.c.qualification), scope
        ).all())
        hearts = conn.execute(
            select(func.count()).select_from(favorites.join(leads, _favorites_of(user_id or ""))).where(mine, *where),
            scope,
        ).scalar_one()
    qualified = sum(n for kind, n in by_kind.items() if kind in QUALIFIED)
    return {Tab.MARKETPLACE: by_kind.get(Qualification.DIRECT.value, 0), Tab.QUALIFIED: qualified,
            Tab.FAVORITES: hearts}


def ordered(query: Select, sort: Sort, moment: datetime | None = None) -> Select:
    """The list's order as one ORDER BY (the export, bulk actions). The urgency sort's groups are those at `moment`."""
    if sort is Sort.URGENCY:
        if moment is None:
            raise ValueError("the urgency sort orders leads as they stand at a moment: pass it")
        return query.order_by(*urgency.order(moment))
    key = _SORT_KEYS[sort]
    if sort.descending:
        return query.order_by(key.desc(), leads.c.id.desc())
    return query.order_by(key.asc(), leads.c.id.asc())


@lru_cache(maxsize=1024)
def _page_statement(f: LeadFilter, sort: Sort, after_cursor: bool, limit: int) -> Select:
    """The page's statement for a filter and sort, built once: building and keying a sixty-column SELECT cost about
    as much as running it. The partner, the user and the cursor's position are bound per execution."""
    query = ordered(filtered(f, search_walk=sort in (Sort.NEWEST, Sort.OLDEST)), sort)
    if after_cursor:
        key = _SORT_KEYS[sort]
        after = tuple_(bindparam("after_value", type_=key.type), bindparam("after_id", type_=leads.c.id.type))
        query = query.where(tuple_(key, leads.c.id) < after if sort.descending else tuple_(key, leads.c.id) > after)
    return query.limit(limit + 1)


def page(conn: Connection, partner_id: str, user_id: str | None,
         request: PageRequest) -> tuple[list[ListedLead], str | None]:
    """One keyset page: (the list's rows with the user's hearts, next cursor or None). The urgency sort has its own
    (store/urgency_page.py)."""
    params = bind_scope(partner_id, user_id)
    if request.cursor:
        params["after_value"], params["after_id"] = decode_cursor(request.cursor, request.sort)
    query = _page_statement(request.filter, request.sort, bool(request.cursor), request.limit)
    rows = conn.execute(query, params).all()
    items = listed(conn, rows[: request.limit])
    next_cursor = None
    if len(rows) > request.limit:
        last = rows[request.limit - 1]
        next_cursor = encode_cursor(request.sort, _sort_value(last, request.sort), last.id)
    return items, next_cursor


def listed(conn: Connection, rows: list) -> list[ListedLead]:
    """A page's rows as the list's read model, with their owners named."""
    named = people.owners(conn, (row.owner_id for row in rows))
    return [ListedLead(row, bool(row.favorite), named.get(row.owner_id)) for row in rows]


def _sort_value(row: Any, sort: Sort) -> Any:
    m = row._mapping
    if sort is Sort.VALUE:
        return m["deal_amount"] if m["deal_amount"] is not None else Decimal(-1)
    return m[_SORT_KEYS[sort].key]


def encode_cursor(sort: Sort, value: Any, last_id: str) -> str:
    if sort is Sort.URGENCY:  # (the first page's moment, the group, the key in it)
        value = urgency.write_position(*value)
    elif isinstance(value, datetime):
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
        for part in (last_id, value if isinstance(value, str) else ""):  # text a database driver can take
            part.encode("utf-8")  # a lone surrogate raises here (a ValueError), not later in the driver
            if len(part) > 1000:
                raise ValueError("bad cursor text")
        if sort in (Sort.NEWEST, Sort.OLDEST, Sort.DEADLINE):
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("a cursor's time must carry its zone")
        elif sort in (Sort.QUALITY, Sort.VALUE):
            value = Decimal(value)
            if not value.is_finite():
                raise ValueError("bad cursor value")
        elif sort is Sort.URGENCY:
            value = urgency.read_position(value)
        elif not isinstance(value, str):
            raise ValueError("bad cursor value")
    except (ValueError, TypeError, ArithmeticError) as error:
        raise InvalidInput(
            "The cursor is not valid for this list; start again from the first page.",
            fields={"cursor": "is not valid for this list"},
        ) from error
    return value, last_id

