"""Reading what the pages send: the list's query string (the whole view, so it can be bookmarked) and the
lead forms. Values the domain must judge are passed on as they came, so its errors name the field."""

from dataclasses import dataclass, replace
from dataclasses import fields as dc_fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, QueryParams

from referrals.domain.deal import CustomerContact, DealTerms, Employee, Money
from referrals.domain.enums import (
    Outcome,
    Qualification,
    Reason,
    Source,
)
from referrals.domain.errors import InvalidInput
from referrals.domain.lead import Customer
from referrals.domain.listing import LeadFilter, Sort, Tab, page_sort, parse_filter
from referrals.domain.text import normalise_newlines
from referrals.domain.vocab import CompanySize, Industry

CONTACT_ROWS = 2  # empty rows for further customer contacts on the accept and deal forms


_VIEW = ("sort", "cursor")  # the view's other parameters; the filter's own come from its declaration


def parse_view(params: QueryParams) -> tuple[LeadFilter, Sort, str | None]:
    """The list view a URL asks for. Unknown values are dropped: a shared link never breaks the page."""
    lead_filter = parse_filter({name: params.getlist(name) for name in params}, lenient=True, ignore=_VIEW)
    if lead_filter.tab is None:
        lead_filter = replace(lead_filter, tab=Tab.MARKETPLACE)
    sort_value = params.get("sort")
    sort = Sort(sort_value) if sort_value in {s.value for s in Sort} else page_sort(lead_filter.tab)
    return lead_filter, sort, params.get("cursor") or None


def view_query(lead_filter: LeadFilter, sort: Sort, changes: dict[str, Any] | None = None) -> str:
    """The query string of a view, with `changes` (tab=, sort=, cursor=) applied; empty values left out."""
    pairs = lead_filter.to_params()
    if sort is not page_sort(lead_filter.tab):
        pairs.append(("sort", sort.value))
    for key, value in (changes or {}).items():
        pairs = [(k, v) for k, v in pairs if k != key]
        if value:
            pairs.append((key, str(value)))
    return urlencode(pairs)


def filters_active(lead_filter: LeadFilter) -> int:
    return len(lead_filter.active())


# The pages' cursor carries the page's number before the list's own keyset cursor ("3.<cursor>"), so a page can say
# "101–150 of 1,234" without OFFSET; the API's cursor is the bare keyset cursor.

def page_cursor(number: int, cursor: str) -> str:
    return f"{number}.{cursor}"


def read_page_cursor(cursor: str | None) -> tuple[int, str | None]:
    """(the page's number, the keyset cursor); a bare keyset cursor (an older link) is page 2 or later: 0."""
    if not cursor:
        return 1, None
    number, dot, rest = cursor.partition(".")
    if dot and number.isdigit() and 1 < int(number) < 1_000_000 and rest:
        return int(number), rest
    return 0, cursor


@dataclass(frozen=True)
class FilterChip:
    name: str  # the filter's name
    value: Any  # the value it removes (a member, a code, a text, a flag)
    remove_url: str  # the same view without it


def filter_chips(lead_filter: LeadFilter, sort: Sort) -> list[FilterChip]:
    """One chip per active value (a repeatable filter's each value), with the view's URL without it."""
    chips = []
    for declared in lead_filter.active():
        value = getattr(lead_filter, declared.name)
        for one in (sorted(value, key=str) if declared.kind.repeatable else [value]):
            rest = value - {one} if declared.kind.repeatable else declared.empty
            chips.append(FilterChip(declared.name, one,
                                    "/leads?" + view_query(replace(lead_filter, **{declared.name: rest}), sort)))
    return chips


# -- lead forms ------------------------------------------------------------------------------------------

# The domain's field names, as the forms name their inputs.
FIELD_OF_ERROR = {
    "estimated_value.amount": "amount",
    "estimated_value.currency": "currency",
    "estimated_purchase_date": "purchase_date",
}


def form_errors(error: InvalidInput, contact_rows: tuple[int, ...] = ()) -> dict[str, str]:
    """Each problem keyed by the input it belongs to ("customer_contacts[0].email" -> "contact-0-email",
    where 0 is the form row that contact came from)."""
    shown: dict[str, str] = {}
    for name, message in error.fields.items():
        key = FIELD_OF_ERROR.get(name, name)
        if key.startswith("customer_contacts["):
            index, _, part = key[len("customer_contacts["):].partition("].")
            row = contact_rows[int(index)] if index.isdigit() and int(index) < len(contact_rows) else index
            key = f"contact-{row}-{part}"
        shown.setdefault(key, message)
    return shown


def text(form: FormData, name: str) -> str:
    """A form's text as the domain judges it (CRLF from textareas made LF); the domain's checks apply the input
    policy and name the field, so a NUL or a control character comes back as that field's error."""
    value = form.get(name)
    return normalise_newlines(value).strip() if isinstance(value, str) else ""


def _amount(raw: str) -> Decimal:
    """"25000", "25,000.50" or "25.000,50": the last separator followed by 1-2 digits is the decimal one."""
    cleaned = raw.replace(" ", "").replace("\u00a0", "").replace("'", "")
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        whole, _, tail = cleaned.rpartition(",")
        cleaned = f"{whole.replace(',', '')}.{tail}" if len(tail) <= 2 else cleaned.replace(",", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return Decimal("NaN")  # the domain answers "must be a number ..." next to the field


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@dataclass(frozen=True)
class ParsedTerms:
    terms: DealTerms
    problems: dict[str, str]  # what could not even be read (a date that is not a date)
    contact_rows: tuple[int, ...]  # the form row of each customer contact


def _contacts(form: FormData) -> tuple[tuple[CustomerContact, ...], tuple[int, ...]]:
    contacts, rows = [], []
    for index in range(CONTACT_ROWS + 20):
        parts = {f.name: text(form, f"contact-{index}-{f.name}") for f in dc_fields(CustomerContact)}
        if any(parts.values()):
            contacts.append(CustomerContact(**parts))
            rows.append(index)
    return tuple(contacts), tuple(rows)


def deal_terms(form: FormData) -> ParsedTerms:
    """The accept and deal forms. Unreadable values go on as None or NaN, so the domain reports every
    problem at once, each next to its field."""
    raw_date, raw_amount = text(form, "purchase_date"), text(form, "amount")
    purchase = _date(raw_date)
    problems = {"purchase_date": "is not a valid date"} if raw_date and purchase is None else {}
    contacts, rows = _contacts(form)
    terms = DealTerms(
        name=text(form, "deal_name"),
        value=Money(_amount(raw_amount) if raw_amount else Decimal("NaN"), text(form, "currency").upper()),
        team_member_ids=tuple(v for v in form.getlist("team_member_ids") if isinstance(v, str) and v),
        purchase_date=purchase,  # type: ignore[arg-type]
        notes=text(form, "notes"),
        campaign_id=text(form, "campaign_id"),
        crm_id=text(form, "crm_id"),
        customer_contacts=contacts,
    )
    return ParsedTerms(terms, problems, rows)


def term_changes(terms: DealTerms) -> dict[str, Any]:
    return {f.name: getattr(terms, f.name) for f in dc_fields(DealTerms)}


def reason(form: FormData) -> Reason | None:
    value = text(form, "reason")
    return Reason(value) if value in {r.value for r in Reason} else None


def outcome(form: FormData) -> Outcome | None:
    value = text(form, "outcome")
    return Outcome(value) if value in (Outcome.WON.value, Outcome.LOST.value) else None


def employee(form: FormData) -> Employee:
    return Employee(text(form, "name"), text(form, "email"), text(form, "phone"))


def qualified_lead(form: FormData) -> tuple[str, Qualification | None, Source, Customer, str]:
    """The program's "send a lead" form: partner, qualification, source, customer and message."""
    qualification = text(form, "qualification")
    source = text(form, "source")
    size, industry, country = text(form, "company_size"), text(form, "industry"), text(form, "country").upper()
    customer = Customer(
        company=text(form, "company"), first_name=text(form, "first_name"), last_name=text(form, "last_name"),
        title=text(form, "title"), email=text(form, "email"), phone=text(form, "phone"),
        country=country or None,
        company_size=size if size in {s.value for s in CompanySize} else None,
        industry=industry if industry in {i.value for i in Industry} else None,
    )
    return (
        text(form, "partner_id"),
        Qualification(qualification) if qualification in (Qualification.MARKETING, Qualification.SALES) else None,
        Source(source) if source in {s.value for s in Source} else Source.AZURE_PORTAL,
        customer,
        text(form, "message"),
    )
