"""The export's read: the database writes each lead's CSV record (store.csvcells) — PostgreSQL through COPY, SQLite
in the SELECT — and Python passes the text on a chunk at a time, so memory stays flat whatever the row count."""

import codecs
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine, Select

from referrals.domain.listing import LeadFilter, Sort
from referrals.store import csvcells, listing
from referrals.store.db import is_sqlite, reading


def csv_records(engine: Engine, partner_id: str, user_id: str, lead_filter: LeadFilter, sort: Sort,
                chunk_rows: int, moment: datetime | None = None) -> Iterator[str]:
    """The CSV records of every lead of the partner matching the filter, in the list's order, in chunks (the urgency
    sort's as the leads stand at `moment`)."""
    scope = listing.bind_scope(partner_id, user_id)
    columns = [csvcells.sqlite_record()] if is_sqlite(engine) else csvcells.copy_cells()
    query = listing.ordered(listing.filtered(lead_filter).with_only_columns(*columns), sort, moment).params(scope)
    return (_records if is_sqlite(engine) else _copied)(engine, query, chunk_rows)


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
