"""The CSV export's cells, formatted by the database itself.

The export is the one read that touches every row of a partner's list, so each cell arrives as the final text
(or NULL for an empty cell) and Python only hands whole batches of rows to the csv writer. Formatting a row
in Python cost more than reading it; the database does the same work in C, next to the data.

Each cell follows a rule kept elsewhere, which the tests hold the two in step with:
- spreadsheet safety: `domain.text.safe_cell` (a cell starting like a formula gets an apostrophe);
- withheld contacts: `domain.lead.withholds_contact` (the outcomes whose contact details are not shown);
- times as `2026-06-01T12:00:00Z` (seconds, UTC), deal values with two decimals, probabilities with three
  (rounded half up, on both databases).
"""

from functools import cache

from sqlalchemy import ColumnElement, String, case, cast, func, literal, literal_column, null
from sqlalchemy.sql.elements import ColumnClause

from referrals.domain.enums import Outcome
from referrals.domain.lead import withholds_contact
from referrals.domain.text import FORMULA_STARTS
from referrals.store.tables import leads

_WITHHELD = sorted(outcome.value for outcome in Outcome if withholds_contact(outcome))


def _safe(cell: ColumnElement) -> ColumnElement:
    """`safe_cell` in SQL: an apostrophe before a cell that starts like a formula."""
    starts_formula = func.substr(cell, 1, 1).in_(FORMULA_STARTS)
    return case((starts_formula, literal("'", String) + cell), else_=cell)


def _contact(column: ColumnClause) -> ColumnElement:
    """A contact detail, blank when the lead's outcome withholds it (`withholds_contact`)."""
    return case((leads.c.outcome.in_(_WITHHELD), null()), else_=_safe(column))


def _deal(cell: ColumnElement) -> ColumnElement:
    """A deal cell, blank when the lead has no deal (its terms are written together, named by deal_name)."""
    return case((leads.c.deal_name.is_(None), null()), else_=cell)


def _time(dialect: str, column: ColumnClause) -> ColumnElement:
    if dialect == "sqlite":  # stored as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'
        return func.strftime("%Y-%m-%dT%H:%M:%SZ", column, type_=String)
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"', type_=String)


def _fixed(dialect: str, column: ColumnClause, places: int) -> ColumnElement:
    """A stored decimal with `places` decimals, rounded half up (PostgreSQL's numeric rounding). SQLite holds the
    value as a binary float, where 0.0045 is 0.00449999...; half of the next unseen digit puts ties back up."""
    if dialect == "sqlite":
        return func.printf(f"%.{places}f", column + 10 ** -(places + 4), type_=String)
    return cast(func.round(column, places), String)  # numeric keeps the scale: '25000.00', '0.450'


def _spam_reasons(dialect: str) -> ColumnElement:
    """The JSON list of reasons as one cell, '; '-separated, in the list's order."""
    if dialect == "sqlite":
        joined = ("(SELECT group_concat(value, '; ') FROM "
                  "(SELECT value FROM json_each(leads.spam_reasons) ORDER BY key))")
        return case((literal_column("leads.spam_reasons") == "[]", null()), else_=_safe(literal_column(joined)))
    joined = ("(SELECT string_agg(r.value, '; ' ORDER BY r.n) "
              "FROM json_array_elements_text(leads.spam_reasons) WITH ORDINALITY AS r(value, n))")
    return _safe(literal_column(joined, String))


@cache
def cells(dialect: str) -> tuple[ColumnElement, ...]:
    """The export's columns, in `services.export.HEADERS` order, as SQL expressions for this dialect."""
    c, time, fixed = leads.c, (lambda col: _time(dialect, col)), (lambda col, n: _fixed(dialect, col, n))
    return (
        c.id, time(c.created_at), c.status, c.outcome, c.type, c.qualification, c.source, c.call_to_action,
        _safe(c.offer_id), _safe(c.offer_title), _safe(c.customer_company), _contact(c.customer_first_name),
        _contact(c.customer_last_name), _contact(c.customer_title), _contact(c.customer_email),
        _contact(c.customer_phone), _safe(c.customer_country), c.customer_company_size, c.customer_industry,
        _safe(c.message), c.email_validity, c.phone_validity, _spam_reasons(dialect), c.quality_label,
        fixed(c.quality_probability, 3), time(c.response_due_at), time(c.accepted_at), time(c.archived_at),
        _deal(_safe(c.deal_name)), _deal(_safe(fixed(c.deal_amount, 2))), _deal(_safe(c.deal_currency)),
        _deal(cast(c.deal_purchase_date, String) if dialect != "sqlite" else c.deal_purchase_date),
        _deal(_safe(c.deal_campaign_id)), _deal(_safe(c.deal_crm_id)), c.closing_reason,
        case((c.is_test, literal("true", String)), else_=literal("false", String)),
    )
