"""CSV export of a filtered lead list, streamed: rows are read through a server-side cursor and written
out in chunks, so memory does not grow with the number of rows.

The columns are stable (documented in the README). Cells that a spreadsheet would run as a formula are
prefixed with an apostrophe. Expired leads export with their contact details blank.

Each CSV row is formatted straight from the database row, reading only the columns the CSV shows: building
a whole domain Lead per row (and decoding its JSON quality factors, deal team and raw payload) cost more
than everything else in the export together.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.lead import withholds_contact
from referrals.domain.listing import LeadFilter, Sort
from referrals.store import listing
from referrals.store.db import reading
from referrals.store.tables import leads

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_CENT = Decimal("0.01")


def safe_cell(value: str) -> str:
    """Spreadsheet-safe: a cell that would start a formula is turned into text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _time(value: datetime | None) -> str:
    """`2026-06-01T12:00:00Z`: the store hands back aware UTC times, and isoformat is much faster than strftime."""
    return value.isoformat(timespec="seconds")[:19] + "Z" if value else ""


def _text(value: Any) -> str:
    return value or ""


def _contact(value: Any, expired: bool) -> str:
    """What domain.lead.visible_customer shows (its rule is domain.lead.withholds_contact)."""
    return "" if expired or not value else value


def _purchase(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else date.fromisoformat(value).isoformat()


# The CSV's columns: header and how to read it from a row of _SOURCE_COLUMNS.
HEADERS = [
    "LeadId", "LeadCreationDateTime", "Status", "Outcome", "LeadType", "Qualification", "LeadSource",
    "CallToAction", "OfferId", "OfferTitle", "CustomerCompany", "CustomerFirstName", "CustomerLastName",
    "CustomerTitle", "CustomerEmail", "CustomerPhone", "CustomerCountry", "CompanySize", "Industry", "Message",
    "EmailValidity", "PhoneValidity", "SpamReasons", "LeadQuality", "ConversionProbability",
    "ResponseDueDateTime", "AcceptedDateTime", "ArchivedDateTime", "DealName", "DealValue", "DealCurrency",
    "EstimatedPurchaseDate", "CampaignId", "CrmId", "ClosingReason", "IsTest",
]
_SOURCE_COLUMNS = [
    leads.c.id, leads.c.created_at, leads.c.status, leads.c.outcome, leads.c.type, leads.c.qualification,
    leads.c.source, leads.c.call_to_action, leads.c.offer_id, leads.c.offer_title, leads.c.customer_company,
    leads.c.customer_first_name, leads.c.customer_last_name, leads.c.customer_title, leads.c.customer_email,
    leads.c.customer_phone, leads.c.customer_country, leads.c.customer_company_size, leads.c.customer_industry,
    leads.c.message, leads.c.email_validity, leads.c.phone_validity, leads.c.spam_reasons, leads.c.quality_label,
    leads.c.quality_probability, leads.c.response_due_at, leads.c.accepted_at, leads.c.archived_at,
    leads.c.deal_name, leads.c.deal_amount, leads.c.deal_currency, leads.c.deal_purchase_date,
    leads.c.deal_campaign_id, leads.c.deal_crm_id, leads.c.closing_reason, leads.c.is_test,
]


def csv_row(row: Any) -> list[str]:
    """One lead's CSV cells, in HEADERS order, from a row of _SOURCE_COLUMNS."""
    (lead_id, created_at, status, outcome, lead_type, qualification, source, call_to_action, offer_id,
     offer_title, company, first_name, last_name, title, email, phone, country, size, industry, message,
     email_validity, phone_validity, spam_reasons, quality_label, probability, response_due_at, accepted_at,
     archived_at, deal_name, deal_amount, deal_currency, purchase_date, campaign_id, crm_id, closing_reason,
     is_test) = row
    expired = withholds_contact(outcome)
    if deal_name is None:
        deal = ("", "", "", "", "", "")
    else:
        deal = (str(deal_name), str(Decimal(deal_amount).quantize(_CENT)), deal_currency, _purchase(purchase_date),
                _text(campaign_id), _text(crm_id))
    # Only cells that can hold someone's free text go through safe_cell: ids, codes, times and numbers we
    # format ourselves never start like a formula (a negative deal value would, so values are checked too).
    s = safe_cell
    name, amount, currency, purchase, campaign, crm = deal
    return [
        lead_id, _time(created_at), status, _text(outcome), _text(lead_type), qualification, source,
        _text(call_to_action), s(offer_id), s(offer_title), s(_text(company)), s(_contact(first_name, expired)),
        s(_contact(last_name, expired)), s(_contact(title, expired)), s(_contact(email, expired)),
        s(_contact(phone, expired)), s(_text(country)), _text(size), _text(industry), s(message), email_validity,
        phone_validity, s("; ".join(spam_reasons or ())), quality_label, f"{float(probability):.3f}",
        _time(response_due_at), _time(accepted_at), _time(archived_at), s(name), s(amount), s(currency),
        purchase, s(campaign), s(crm), _text(closing_reason), "true" if is_test else "false",
    ]


def export_csv(
    engine: Engine, principal: Principal, lead_filter: LeadFilter, sort: Sort = Sort.NEWEST,
    *, chunk_rows: int = 1000, batch: int = 2000,
) -> Iterator[str]:
    """The filtered list as CSV text chunks: every matching row, no page limit."""
    partner_id = principal.partner_scope()
    query = listing.filtered(lead_filter).with_only_columns(*_SOURCE_COLUMNS)
    query = listing.ordered(query, sort)  # the list's own order, on the list's indexes
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    write: Callable[[list[str]], Any] = writer.writerow
    with reading(engine) as conn:
        scope = listing.bind_scope(partner_id, principal.user_id)
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query, scope)
        for count, row in enumerate(result, start=1):
            write(csv_row(row))
            if count % chunk_rows == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
