"""CSV export of a filtered lead list, streamed: rows are read through a server-side cursor and written
out in chunks, so memory does not grow with the number of rows.

The columns are stable (documented in the README). Cells that a spreadsheet would run as a formula are
prefixed with an apostrophe, except valid phone numbers of digits and spaces after one leading `+`, written as
stored so a CRM imports them. Expired leads export with their contact details blank.

The database writes the CSV (`store.csvcells`): PostgreSQL's COPY, or on SQLite each lead's record built in the
SELECT; Python passes the text on in chunks. Building a domain Lead per row, and later formatting the cells in
Python, cost more than reading the rows. Records end with a line feed, as COPY writes them.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.listing import LeadFilter, Sort
from referrals.store import export

# The CSV's columns, in the order of store.csvcells.cells.
HEADERS = [
    "LeadId", "LeadCreationDateTime", "Status", "Outcome", "LeadType", "Qualification", "LeadSource",
    "CallToAction", "OfferId", "OfferTitle", "CustomerCompany", "CustomerFirstName", "CustomerLastName",
    "CustomerTitle", "CustomerEmail", "CustomerPhone", "CustomerCountry", "CompanySize", "Industry", "Message",
    "EmailValidity", "PhoneValidity", "SpamReasons", "LeadQuality", "ConversionProbability",
    "ResponseDueDateTime", "AcceptedDateTime", "ArchivedDateTime", "DealName", "DealValue", "DealCurrency",
    "EstimatedPurchaseDate", "CampaignId", "CrmId", "ClosingReason", "IsTest", "Owner",
]


BYTE_ORDER_MARK = "\ufeff"  # UTF-8: EF BB BF, how a spreadsheet on Windows knows the file is UTF-8


def export_csv(
    engine: Engine, principal: Principal, lead_filter: LeadFilter, sort: Sort = Sort.NEWEST,
    *, chunk_rows: int = 1000, bom: bool = False, now: datetime | None = None,
) -> Iterator[str]:
    """The filtered list as CSV text chunks: every matching row, no page limit; `bom` starts it with a byte-order
    mark for spreadsheets (CRM imports usually want none)."""
    records = export.csv_records(engine, principal.partner_scope(), principal.user_id, lead_filter, sort, chunk_rows,
                                 now)
    yield (BYTE_ORDER_MARK if bom else "") + ",".join(HEADERS) + "\n"
    yield from records
