"""CSV export of a filtered lead list, streamed: rows are read through a server-side cursor and written
out in chunks, so memory does not grow with the number of rows.

The columns are stable (documented in the README). Cells that a spreadsheet would run as a formula are
prefixed with an apostrophe. Expired leads export with their contact details blank.

The database writes each lead's whole CSV record (`store.csvcells`), quoted exactly as Python's csv.writer
would; Python joins records into chunks. Building a domain Lead per row, and later formatting the cells in
Python, cost more than reading the rows.
"""

from collections.abc import Iterator

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.listing import LeadFilter, Sort
from referrals.store import csvcells, listing
from referrals.store.db import reading

# The CSV's columns, in the order of store.csvcells.cells.
HEADERS = [
    "LeadId", "LeadCreationDateTime", "Status", "Outcome", "LeadType", "Qualification", "LeadSource",
    "CallToAction", "OfferId", "OfferTitle", "CustomerCompany", "CustomerFirstName", "CustomerLastName",
    "CustomerTitle", "CustomerEmail", "CustomerPhone", "CustomerCountry", "CompanySize", "Industry", "Message",
    "EmailValidity", "PhoneValidity", "SpamReasons", "LeadQuality", "ConversionProbability",
    "ResponseDueDateTime", "AcceptedDateTime", "ArchivedDateTime", "DealName", "DealValue", "DealCurrency",
    "EstimatedPurchaseDate", "CampaignId", "CrmId", "ClosingReason", "IsTest",
]


def export_csv(
    engine: Engine, principal: Principal, lead_filter: LeadFilter, sort: Sort = Sort.NEWEST,
    *, chunk_rows: int = 1000,
) -> Iterator[str]:
    """The filtered list as CSV text chunks: every matching row, no page limit."""
    partner_id = principal.partner_scope()
    query = listing.filtered(lead_filter).with_only_columns(csvcells.line(engine.dialect.name))
    query = listing.ordered(query, sort)  # the list's own order, on the list's indexes
    yield ",".join(HEADERS) + "\r\n"
    with reading(engine) as conn:
        scope = listing.bind_scope(partner_id, principal.user_id)
        records = conn.execution_options(stream_results=True).execute(query, scope).scalars()
        while chunk := records.fetchmany(chunk_rows):
            yield "".join(chunk)
