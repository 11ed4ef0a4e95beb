"""CSV export of a filtered lead list, streamed: rows are read through a server-side cursor and written
out in chunks, so memory does not grow with the number of rows.

The columns are stable (documented in the README). Cells that a spreadsheet would run as a formula are
prefixed with an apostrophe. Expired leads export with their contact details blank.

The database writes the CSV (`store.csvcells`): PostgreSQL's COPY, or on SQLite each lead's record built in the
SELECT; Python passes the text on in chunks. Building a domain Lead per row, and later formatting the cells in
Python, cost more than reading the rows. Records end with a line feed, as COPY writes them.
"""

import codecs
from collections.abc import Iterator

from sqlalchemy import Engine, Select

from referrals.domain.access import Principal
from referrals.domain.listing import LeadFilter, Sort
from referrals.store import csvcells, listing
from referrals.store.db import is_sqlite, reading

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
    scope = listing.bind_scope(principal.partner_scope(), principal.user_id)
    columns = [csvcells.sqlite_record()] if is_sqlite(engine) else csvcells.copy_cells()
    query = listing.ordered(listing.filtered(lead_filter).with_only_columns(*columns), sort).params(scope)
    yield ",".join(HEADERS) + "\n"
    yield from (_records if is_sqlite(engine) else _copied)(engine, query, chunk_rows)


def _records(engine: Engine, query: Select, chunk_rows: int) -> Iterator[str]:
    """SQLite: the finished records through a cursor, joined a chunk at a time."""
    with reading(engine) as conn:
        records = conn.execution_options(stream_results=True).execute(query).scalars()
        while chunk := records.fetchmany(chunk_rows):
            yield "".join(chunk)


def _copied(engine: Engine, query: Select, chunk_rows: int) -> Iterator[str]:
    """PostgreSQL: COPY writes the CSV; its rows are passed on a chunk at a time. The statement's parameters are
    bound by psycopg on the client (COPY takes none), with the same escaping as any query."""
    expanded = query.compile(dialect=engine.dialect).construct_expanded_state()  # IN lists spelt out
    statement = f"COPY ({expanded.statement}) TO STDOUT WITH (FORMAT csv)"
    decode = codecs.getincrementaldecoder("utf-8")().decode
    with reading(engine) as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute("SET LOCAL jit = off")  # compiling the cell expressions cost more than it saved
        with cursor.copy(statement, expanded.parameters) as copy:
            rows: list[bytes] = []
            for row in copy:
                rows.append(bytes(row))
                if len(rows) == chunk_rows:
                    yield decode(b"".join(rows))
                    rows.clear()
            yield decode(b"".join(rows), final=True)
