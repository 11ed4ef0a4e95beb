"""Reading a CSV of leads: the columns (the export's own names, the API's codes as values), the header's checks,
and each data row turned into what ingestion takes, or into the errors of its cells.

Only the shape of a cell is judged here (a known code, a single line of text, a required cell present); the
lead's own rules (an offer lead needs a call to action, a customer needs a company, a last name or an email...)
stay in `domain/lead.py: receive`, which ingestion runs on every row, and their field names are mapped back to the
columns by `column_of`. Rows are numbered from 1, the first data row after the header.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any

from referrals.domain.deal import MAX_AMOUNT
from referrals.domain.enums import CallToAction, LeadType, Qualification, Source
from referrals.domain.lead import Customer, Origin
from referrals.domain.text import FORMULA_STARTS, text_problem
from referrals.domain.vocab import CompanySize, Industry

MAX_ERRORS = 10_000  # errors listed in one answer; the count says how many there were in all


@dataclass(frozen=True)
class CellError:
    row: int  # data rows from 1; 0 is the header
    column: str | None
    message: str


@dataclass(frozen=True)
class Column:
    name: str  # the export's header
    field: str  # the domain's field name, as its errors name it
    required: bool = False
    codes: type[StrEnum] | None = None
    max_length: int = 320
    multiline: bool = False
    kind: str = "text"  # text, instant (ISO 8601, UTC when no offset is given) or amount (a decimal number)


# The lead's columns, in the template's order. `field` is how ingestion's errors name each one.
LEAD_COLUMNS: tuple[Column, ...] = (
    Column("PartnerId", "partner_id", required=True, max_length=64),
    Column("LocationId", "location_id", max_length=64),
    Column("ExternalId", "external_id", max_length=200),
    Column("LeadType", "type", codes=LeadType),
    Column("Qualification", "qualification", required=True, codes=Qualification),
    Column("LeadSource", "source", required=True, codes=Source),
    Column("CallToAction", "call_to_action", codes=CallToAction),
    Column("OfferId", "offer.id", max_length=200),
    Column("OfferTitle", "offer.title", max_length=300),
    Column("CustomerCompany", "customer.company"),
    Column("CustomerFirstName", "customer.first_name"),
    Column("CustomerLastName", "customer.last_name"),
    Column("CustomerTitle", "customer.title"),
    Column("CustomerEmail", "customer.email"),
    Column("CustomerPhone", "customer.phone"),
    Column("CustomerCountry", "customer.country", max_length=2),
    Column("CompanySize", "customer.company_size", codes=CompanySize),
    Column("Industry", "customer.industry", codes=Industry),
    Column("Message", "message", max_length=10_000, multiline=True),
)
_BY_FIELD = {column.field: column.name for column in LEAD_COLUMNS}
_BY_FIELD["customer"] = "CustomerCompany"  # "needs at least a company, a last name or an email"


def column_of(field: str, columns: Sequence[Column] = LEAD_COLUMNS) -> str | None:
    """The CSV column of a field named by the domain's errors (None: the row as a whole)."""
    for column in columns:
        if column.field == field:
            return column.name
    return _BY_FIELD.get(field)


@dataclass(frozen=True)
class Header:
    """The file's columns, known to be ours: each column's position."""

    positions: dict[str, int]

    def cells(self, record: Sequence[str]) -> dict[str, str]:
        return {name: record[i] if i < len(record) else "" for name, i in self.positions.items()}


def read_header(record: Sequence[str], columns: Sequence[Column]) -> Header | list[CellError]:
    """The header row: every name a known column, none twice, the required ones present."""
    known = {column.name for column in columns}
    errors, positions = [], {}
    for index, raw in enumerate(record):
        name = raw.strip().lstrip("\ufeff")
        if not name and index == len(record) - 1:
            continue  # a trailing separator, as some spreadsheets write
        if name not in known:
            errors.append(CellError(0, name, f"is not a known column (known: {', '.join(c.name for c in columns)})"))
        elif name in positions:
            errors.append(CellError(0, name, "appears twice"))
        else:
            positions[name] = index
    for column in columns:
        if column.required and column.name not in positions:
            errors.append(CellError(0, column.name, "is a required column and is missing"))
    return errors or Header(positions)


def is_blank(record: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in record)


_FORMULA_STARTS = "".join(FORMULA_STARTS)


def unguard(value: str) -> str:
    """The export's spreadsheet guard undone: `'=x` (an apostrophe before a formula start) is read as `=x`."""
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_STARTS:
        return value[1:]
    return value


@cache
def _members(codes: type[StrEnum]) -> dict[str, StrEnum]:
    return {member.value: member for member in codes}


def read_cell(column: Column, raw: str, row: int, errors: list[CellError], suspicious: bool = True) -> Any:
    """One cell as the domain takes it: a code as its enum, text as kept (CRLF made LF), blank as None.
    `suspicious=False`: the row's single-line cells were found free of what the input policy refuses."""
    value = raw.replace("\r\n", "\n") if column.multiline else raw.strip()
    if value[:1] == "'":
        value = unguard(value)
    if not value or (column.multiline and not value.strip()):
        if column.required:
            errors.append(CellError(row, column.name, "is required"))
        return None
    if column.codes is not None:
        member = _members(column.codes).get(value)
        if member is None:
            allowed = ", ".join(member.value for member in column.codes)
            errors.append(CellError(row, column.name, f"{value!r} is not a known code (one of: {allowed})"))
        return member
    if column.kind != "text":
        parsed = _READERS[column.kind](value)
        if isinstance(parsed, str):
            errors.append(CellError(row, column.name, parsed))
            return None
        return parsed
    if (suspicious or column.multiline) and (problem := text_problem(value, multiline=column.multiline)):
        errors.append(CellError(row, column.name, problem))
    elif len(value) > column.max_length:
        errors.append(CellError(row, column.name, f"is longer than {column.max_length} characters"))
    return value


def read_cells(header: Header, record: Sequence[str], row: int, columns: Sequence[Column],
               errors: list[CellError]) -> dict[str, Any]:
    """Every known column of the row, read (missing columns are blank), by column name. The input policy looks at
    the row's single-line cells at once, and at each only when that finds something."""
    cells = header.cells(record)
    single_line = "".join(cells[c.name] for c in columns if not c.multiline and c.name in cells)
    suspicious = text_problem(single_line) is not None
    return {column.name: read_cell(column, cells.get(column.name, ""), row, errors, suspicious) for column in columns}


def read_instant(value: str) -> datetime | str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return f"{value!r} is not an ISO 8601 date and time (like 2025-06-01T12:00:00Z)"
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_amount(value: str) -> Decimal | str:
    try:
        amount = Decimal(value.replace(" ", ""))
    except InvalidOperation:
        return f"{value!r} is not a number (like 12500.00)"
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        return "must be a number between 0 and 999,999,999,999.99"
    return amount


_READERS: dict[str, Callable[[str], Any]] = {"instant": read_instant, "amount": read_amount}


@dataclass(frozen=True)
class LeadRow:
    """A data row as ingestion takes it."""

    row: int
    partner_id: str
    location_id: str | None
    external_id: str | None
    origin: Origin
    customer: Customer
    message: str


def lead_row(row: int, cells: dict[str, Any], referrer: Callable[[Origin], Origin]) -> LeadRow:
    """The lead of a row whose cells were read without errors; `referrer` says who sends it (the importer)."""
    origin = referrer(Origin(
        qualification=cells["Qualification"], source=cells["LeadSource"], type=cells["LeadType"],
        call_to_action=cells["CallToAction"], offer_id=cells["OfferId"] or "", offer_title=cells["OfferTitle"] or "",
    ))
    customer = Customer(
        company=cells["CustomerCompany"] or "", first_name=cells["CustomerFirstName"] or "",
        last_name=cells["CustomerLastName"] or "", title=cells["CustomerTitle"] or "",
        email=cells["CustomerEmail"] or "", phone=cells["CustomerPhone"] or "", country=cells["CustomerCountry"],
        company_size=cells["CompanySize"], industry=cells["Industry"],
    )
    return LeadRow(row, cells["PartnerId"], cells["LocationId"], cells["ExternalId"], origin, customer,
                   cells["Message"] or "")


def field_errors(row: int, fields: dict[str, str], message: str,
                 columns: Sequence[Column] = LEAD_COLUMNS) -> list[CellError]:
    """A domain error of one row as the row's cell errors (its message alone when it names no field)."""
    if not fields:
        return [CellError(row, None, message)]
    return [CellError(row, column_of(name, columns), text) for name, text in fields.items()]


def template(columns: Iterable[Column] = LEAD_COLUMNS) -> str:
    """The header of an empty import file."""
    return ",".join(column.name for column in columns) + "\r\n"
