"""The Referrals-API-compatible list in SQL: an OData filter (domain/odata.py) over one partner's leads, each
comparison turned into the lead columns it means (domain/referral_compat.py: column_terms), keyset pages on
`(partner_id, created_at, id)` or `(partner_id, updated_at, id)` (`ix_leads_created`, `ix_leads_updated`), the
position carried in an opaque `$skiptoken`."""

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, false, func, or_, select, true, tuple_

from referrals.domain import referral_compat
from referrals.domain.lead import Lead
from referrals.domain.odata import Both, Comparison, Either, Expression, Op, OrderBy, UnsupportedQuery
from referrals.store.leadrows import row_to_lead
from referrals.store.listing import LIST_COLUMNS
from referrals.store.scope import of_partner
from referrals.store.tables import leads, users

_COMPARE = {Op.EQ: "__eq__", Op.NE: "__ne__", Op.GT: "__gt__", Op.GE: "__ge__", Op.LT: "__lt__", Op.LE: "__le__"}


def where(expression: Expression):
    """The SQL condition of a parsed filter. `ne` holds for NULL columns too (a lead without a country is not 'US')."""
    if isinstance(expression, Both):
        return and_(where(expression.left), where(expression.right))
    if isinstance(expression, Either):
        return or_(where(expression.left), where(expression.right))
    return _comparison(expression)


def _comparison(c: Comparison):
    if c.field in referral_compat.DATE_COLUMNS:
        column = leads.c[referral_compat.DATE_COLUMNS[c.field]]
        return getattr(column, _COMPARE[c.op])(c.value)
    terms = referral_compat.column_terms(c.field, str(c.value))
    if isinstance(terms, bool):
        return true() if terms == (c.op is Op.EQ) else false()
    if c.op is Op.EQ:
        return and_(*(leads.c[name] == value for name, value in terms.items()))
    return or_(*(leads.c[name].is_distinct_from(value) for name, value in terms.items()))


def _order_key(order: OrderBy):
    return leads.c[referral_compat.DATE_COLUMNS[order.field]]


def page(conn: Connection, partner_id: str, expression: Expression | None, order: OrderBy, top: int,
         after: tuple[datetime, str] | None) -> tuple[list[Lead], tuple[datetime, str] | None]:
    """Up to `top` leads in the order, after the position `after`; and the position of the last one when more follow."""
    key = _order_key(order)
    query = select(*LIST_COLUMNS).where(of_partner(leads, partner_id))
    if expression is not None:
        query = query.where(where(expression))
    if after is not None:
        position = tuple_(key, leads.c.id)
        bound = tuple_(bindparam("after_value", after[0], type_=key.type),
                       bindparam("after_id", after[1], type_=leads.c.id.type))
        query = query.where(position < bound if order.descending else position > bound)
    direction = (key.desc(), leads.c.id.desc()) if order.descending else (key.asc(), leads.c.id.asc())
    rows = conn.execute(query.order_by(*direction).limit(top + 1)).all()
    found = [row_to_lead(row) for row in rows[:top]]
    if len(rows) <= top:
        return found, None
    last = rows[top - 1]
    return found, (last._mapping[key.key], last.id)


def count(conn: Connection, partner_id: str, expression: Expression | None) -> int:
    query = select(func.count()).select_from(leads).where(of_partner(leads, partner_id))
    if expression is not None:
        query = query.where(where(expression))
    return conn.execute(query).scalar_one()


def active_users_by_email(conn: Connection, partner_id: str, emails: list[str]) -> dict[str, str]:
    """The partner's active users with these emails (case-insensitively): lower-cased email -> user id."""
    wanted = sorted({email.lower() for email in emails})
    if not wanted:
        return {}
    rows = conn.execute(select(users.c.id, users.c.email).where(
        of_partner(users, partner_id), users.c.active.is_(True), func.lower(users.c.email).in_(wanted)))
    return {row.email.lower(): row.id for row in rows}


def encode_token(order: OrderBy, position: tuple[datetime, str]) -> str:
    raw = json.dumps([order.field, order.descending, position[0].isoformat(), position[1]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, order: OrderBy) -> tuple[datetime, str]:
    try:
        raw: Any = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        field, descending, value, last_id = raw
        if (field, descending) != (order.field, order.descending) or not isinstance(last_id, str):
            raise ValueError("the token belongs to another order")
        last_id.encode("utf-8")
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None or len(last_id) > 100:
            raise ValueError("bad token")
    except (ValueError, TypeError, UnicodeError) as error:
        raise UnsupportedQuery("$skiptoken", "The $skiptoken is not valid for this list and order; "
                                             "start again from the first page.") from error
    return moment, last_id
