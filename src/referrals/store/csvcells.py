"""The CSV export's cells, formatted by the database.

The export is the one read that touches every row of a partner's list, so the database writes the CSV itself:
PostgreSQL with `COPY (SELECT <cells>) TO STDOUT WITH (FORMAT csv)`, SQLite (which has no COPY) by building
each lead's record in the SELECT, quoted the way COPY quotes. Python only passes the text on. Formatting rows
in Python, even with the C csv writer, cost more than reading them.

Each cell follows a rule whose Python form lives elsewhere; tests/integration/test_export.py holds the two together:
- spreadsheet safety: `domain.text.safe_cell` (a cell starting like a formula gets an apostrophe), except a valid
  phone number of digits and spaces after one leading `+`, written as stored (`domain.text.safe_phone_cell`);
- withheld contacts: `domain.lead.withholds_contact` (the outcomes whose contact details are not shown);
- times as `2026-06-01T12:00:00Z` (seconds, UTC), deal values with two decimals, probabilities with three
  (rounded half up, on both databases).
"""

from functools import cache

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnClause

from referrals.domain.enums import Outcome
from referrals.domain.lead import withholds_contact
from referrals.domain.text import FORMULA_STARTS, PLAIN_PHONE_CHARACTERS
from referrals.store.db import constant
from referrals.store.tables import leads, users

_FORMULA_STARTS = [constant(mark) for mark in FORMULA_STARTS]
_WITHHELD = [constant(outcome.value) for outcome in sorted(Outcome) if withholds_contact(outcome)]


def _safe(cell: ColumnElement) -> ColumnElement:
    """`safe_cell` in SQL: an apostrophe before a cell that starts like a formula."""
    starts_formula = func.substr(cell, 1, 1).in_(_FORMULA_STARTS)
    return case((starts_formula, constant("'") + cell), else_=cell)


def _contact(column: ColumnClause) -> ColumnElement:
    """A contact detail, blank when the lead's outcome withholds it (`withholds_contact`)."""
    return case((leads.c.outcome.in_(_WITHHELD), null()), else_=_safe(column))


def _phone(dialect: str) -> ColumnElement:
    """`safe_phone_cell` in SQL: a valid phone of digits and spaces after at most one leading `+` is written as
    stored; any other keeps the apostrophe guard. Withheld like every contact detail."""
    phone = leads.c.customer_phone
    strip = func.trim if dialect == "sqlite" else func.btrim
    plain = and_(
        leads.c.phone_validity == constant("valid"),
        strip(phone, constant(PLAIN_PHONE_CHARACTERS)) == constant(""),
        func.substr(phone, 2).not_like(constant("%+%")),
        strip(phone, constant("+ ")) != constant(""),  # some digit
    )
    return case((leads.c.outcome.in_(_WITHHELD), null()), (plain, phone), else_=_safe(phone))


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
    empty = literal_column("json_array_length(leads.spam_reasons)") == literal_column("0")
    return case((empty, null()), else_=_safe(literal_column(joined, String)))


def _free(cell: ColumnElement, probe: ColumnElement | None = None) -> tuple[ColumnElement, ColumnElement]:
    """A cell that may hold someone's text, and so a comma, a quote or a line break. `probe` is the text to look
    for them in, when cheaper than the cell: the stored column under an apostrophe or a withheld contact."""
    return cell, (cell if probe is None else probe)


def _ours(cell: ColumnElement) -> tuple[ColumnElement, None]:
    """A cell holding only text we made (ids, codes, times, numbers): never quoted."""
    return cell, None


@cache
def cells(dialect: str) -> tuple[tuple[ColumnElement, ColumnElement | None], ...]:
    """The export's columns, in `services.export.HEADERS` order, as SQL expressions for this dialect."""
    c, time, fixed = leads.c, (lambda col: _time(dialect, col)), (lambda col, n: _fixed(dialect, col, n))
    safe = lambda col: _free(_safe(col), col)  # noqa: E731 - an apostrophe adds no comma, quote or line break
    contact = lambda col: _free(_contact(col), col)  # noqa: E731
    deal_text = lambda col: _free(_deal(_safe(col)), col)  # noqa: E731
    purchase = cast(c.deal_purchase_date, String) if dialect != "sqlite" else c.deal_purchase_date
    return (
        _ours(c.id), _ours(time(c.created_at)), _ours(c.status), _ours(c.outcome), _ours(c.type),
        _ours(c.qualification), _ours(c.source), _ours(c.call_to_action), safe(c.offer_id), safe(c.offer_title),
        safe(c.customer_company), contact(c.customer_first_name), contact(c.customer_last_name),
        contact(c.customer_title), contact(c.customer_email), _free(_phone(dialect), c.customer_phone),
        safe(c.customer_country),
        _free(c.customer_company_size), _free(c.customer_industry), safe(c.message), _ours(c.email_validity),
        _ours(c.phone_validity), _free(_spam_reasons(dialect)), _ours(c.quality_label),
        _ours(fixed(c.quality_probability, 3)), _ours(time(c.response_due_at)), _ours(time(c.accepted_at)),
        _ours(time(c.archived_at)), deal_text(c.deal_name), _ours(_deal(_safe(fixed(c.deal_amount, 2)))),
        _ours(_deal(_safe(c.deal_currency))), _ours(_deal(purchase)), deal_text(c.deal_campaign_id),
        deal_text(c.deal_crm_id), _ours(c.closing_reason),
        _ours(case((c.is_test, constant("true")), else_=constant("false"))), _free(_safe(_owner_email())),
    )


def _owner_email() -> ColumnElement:
    """The owner's sign-in address: one primary-key probe for a lead that has an owner, none for the others."""
    email = select(users.c.email).where(users.c.id == leads.c.owner_id).scalar_subquery()
    return case((leads.c.owner_id.is_(None), null()), else_=email)


def copy_cells() -> list[ColumnElement]:
    """PostgreSQL: the cells for `COPY (...) TO STDOUT WITH (FORMAT csv)`, which writes the records itself. COPY
    quotes an empty string to tell it from NULL, so an empty cell is NULL."""
    return [func.nullif(type_coerce(cell, String), constant("")) for cell, _ in cells("postgresql")]


def _field(cell: ColumnElement, probe: ColumnElement | None) -> ColumnElement:
    """One SQLite field as COPY ... CSV writes it: quoted, with quotes doubled, when it holds a comma, a quote or
    a line break; empty for NULL."""
    cell = type_coerce(cell, String)  # joined as text, whatever the column's type (a date on SQLite)
    empty = constant("")
    text = func.coalesce(cell, empty)
    if probe is None:
        return text
    quoted = constant('"') + func.replace(cell, constant('"'), constant('""')) + constant('"')
    needs_quotes = type_coerce(probe, String).op("GLOB")(literal('*[,"\r\n]*', String))
    return case((needs_quotes, func.coalesce(quoted, empty)), else_=text)


@cache
def sqlite_record() -> ColumnElement:
    """SQLite has no COPY: each lead's whole record, `\n`-terminated, byte for byte what PostgreSQL's COPY
    writes for the same cells (and Python's csv.writer with `lineterminator="\n"`)."""
    fields = [_field(cell, probe) for cell, probe in cells("sqlite")]
    record = fields[0]
    for field in fields[1:]:
        record = record + constant(",") + field
    return (record + constant("\n")).label("record")
