"""CSV export of a filtered lead list, streamed: rows are read through a server-side cursor and written
out in chunks, so memory does not grow with the number of rows.

The columns are stable (documented in the README). Cells that a spreadsheet would run as a formula are
prefixed with an apostrophe. Expired leads export with their contact details blank.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.lead import Lead, visible_customer
from referrals.domain.listing import LeadFilter, Sort
from referrals.store import listing
from referrals.store.db import reading

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: str) -> str:
    """Spreadsheet-safe: a cell that would start a formula is turned into text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _deal(attr: str) -> Callable[[Lead], str]:
    def read(lead: Lead) -> str:
        if lead.deal is None:
            return ""
        terms = lead.deal.terms
        if attr == "amount":
            return str(terms.value.amount)
        if attr == "currency":
            return terms.value.currency
        value = getattr(terms, attr)
        return value.isoformat() if attr == "purchase_date" else str(value)

    return read


def _customer(attr: str) -> Callable[[Lead], str]:
    return lambda lead: getattr(visible_customer(lead), attr) or ""


COLUMNS: list[tuple[str, Callable[[Lead], str]]] = [
    ("LeadId", lambda lead: lead.id),
    ("LeadCreationDateTime", lambda lead: _time(lead.created_at)),
    ("Status", lambda lead: lead.status.value),
    ("Outcome", lambda lead: lead.outcome.value if lead.outcome else ""),
    ("LeadType", lambda lead: lead.origin.type.value if lead.origin.type else ""),
    ("Qualification", lambda lead: lead.origin.qualification.value),
    ("LeadSource", lambda lead: lead.origin.source.value),
    ("CallToAction", lambda lead: lead.origin.call_to_action.value if lead.origin.call_to_action else ""),
    ("OfferId", lambda lead: lead.origin.offer_id),
    ("OfferTitle", lambda lead: lead.origin.offer_title),
    ("CustomerCompany", _customer("company")),
    ("CustomerFirstName", _customer("first_name")),
    ("CustomerLastName", _customer("last_name")),
    ("CustomerTitle", _customer("title")),
    ("CustomerEmail", _customer("email")),
    ("CustomerPhone", _customer("phone")),
    ("CustomerCountry", _customer("country")),
    ("CompanySize", _customer("company_size")),
    ("Industry", _customer("industry")),
    ("Message", lambda lead: lead.message),
    ("EmailValidity", lambda lead: lead.screening.email_validity.value),
    ("PhoneValidity", lambda lead: lead.screening.phone_validity.value),
    ("SpamReasons", lambda lead: "; ".join(lead.screening.spam_reasons)),
    ("LeadQuality", lambda lead: lead.screening.quality.label.value),
    ("ConversionProbability", lambda lead: f"{lead.screening.quality.probability:.3f}"),
    ("ResponseDueDateTime", lambda lead: _time(lead.response_due_at)),
    ("AcceptedDateTime", lambda lead: _time(lead.accepted_at)),
    ("ArchivedDateTime", lambda lead: _time(lead.archived_at)),
    ("DealName", _deal("name")),
    ("DealValue", _deal("amount")),
    ("DealCurrency", _deal("currency")),
    ("EstimatedPurchaseDate", _deal("purchase_date")),
    ("CampaignId", _deal("campaign_id")),
    ("CrmId", _deal("crm_id")),
    ("ClosingReason", lambda lead: lead.closing.reason.value if lead.closing and lead.closing.reason else ""),
    ("IsTest", lambda lead: "true" if lead.is_test else "false"),
]
HEADERS = [name for name, _ in COLUMNS]


def export_csv(
    engine: Engine, principal: Principal, lead_filter: LeadFilter, sort: Sort = Sort.NEWEST,
    *, chunk_rows: int = 1000,
) -> Iterator[str]:
    """The filtered list as CSV text chunks: every matching row, no page limit."""
    partner_id = principal.partner_scope()
    readers = [read for _, read in COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    with reading(engine) as conn:
        for count, (lead, _favorite) in enumerate(
            listing.stream(conn, partner_id, principal.user_id, lead_filter, sort), start=1
        ):
            writer.writerow([safe_cell(read(lead)) for read in readers])
            if count % chunk_rows == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
