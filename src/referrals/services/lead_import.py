"""Importing a CSV of leads (program admins and sellers): read a row at a time, each row's cells judged by
`domain/lead_import.py`, the rows that pass handed to ingestion (`services/ingest.py: ingest_many`) a batch at a
time, so every lead meets the rules of `POST /api/v1/leads` and memory does not grow with the file.

A row with an error creates nothing; the others go in. `all_or_nothing` first runs the whole file as a dry run
and imports only if it found no error. Idempotent by `ExternalId`, as ingestion is.
"""

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import ReferrerKind, Role
from referrals.domain.lead import Origin
from referrals.domain.lead_import import (
    LEAD_COLUMNS,
    MAX_ERRORS,
    CellError,
    Column,
    Header,
    field_errors,
    is_blank,
    lead_row,
    read_cells,
    read_header,
)
from referrals.services.ingest import LeadDraft, ingest_many

BATCH = 1_000  # rows handed to ingestion at once: one transaction each
Progress = Callable[[int], None]  # told how many more rows were done


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    existing: int = 0
    errors: list[CellError] = field(default_factory=list)
    error_count: int = 0
    refused: bool = False  # all_or_nothing found errors: nothing was imported

    def add(self, errors: Sequence[CellError]) -> None:
        self.error_count += len(errors)
        room = MAX_ERRORS - len(self.errors)
        self.errors.extend(errors[:max(room, 0)])

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "existing": self.existing,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
                "error_count": self.error_count, "refused": self.refused}


def records(stream: TextIO, report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """The file's records, numbered (0: the header; blank rows skipped, not counted); a record the csv module
    cannot read ends the file with that row's error."""
    reader = csv.reader(stream, strict=True)
    number = 0
    try:
        for record in reader:
            if number and is_blank(record):
                continue
            yield number, record
            number += 1
    except csv.Error as error:
        report.add([CellError(number, None, f"cannot be read as CSV: {error}")])


def open_file(stream: TextIO, columns: Sequence[Column], report: ImportReport):
    """The header and the data records after it, or None when the header is refused (its errors reported)."""
    rows = records(stream, report)
    first = next(rows, None)
    if first is None:
        report.add([CellError(0, None, "the file is empty: the first row must name the columns")])
        return None
    header = read_header(first[1], columns)
    if not isinstance(header, Header):
        report.add(header)
        return None
    return header, rows


def as_staff(principal: Principal) -> Callable[[Origin], Origin]:
    return lambda origin: replace(origin, referrer_kind=ReferrerKind.STAFF, referrer_id=principal.user_id,
                                  referrer_email=principal.email)


def import_leads(engine: Engine, principal: Principal, stream: TextIO, *, now: datetime, dry_run: bool = False,
                 all_or_nothing: bool = False, progress: Progress | None = None) -> ImportReport:
    """`stream`: the CSV as text (newline=""), seekable when `all_or_nothing`."""
    principal.require(Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER)
    if all_or_nothing and not dry_run:
        checked = _run(engine, principal, stream, now, True, None)
        if checked.error_count:
            return replace(checked, created=0, refused=True)
        stream.seek(0)
    return _run(engine, principal, stream, now, dry_run, progress)


def _run(engine: Engine, principal: Principal, stream: TextIO, now: datetime, dry_run: bool,
         progress: Progress | None) -> ImportReport:
    report = ImportReport()
    opened = open_file(stream, LEAD_COLUMNS, report)
    if opened is None:
        return report
    header, rows = opened
    referrer, pending = as_staff(principal), []
    for number, record in rows:
        report.rows += 1
        errors: list[CellError] = []
        cells = read_cells(header, record, number, LEAD_COLUMNS, errors)
        if errors:
            report.add(errors)
            continue
        pending.append(lead_row(number, cells, referrer))
        if len(pending) >= BATCH:
            _ingest(engine, principal, pending, now, dry_run, report, progress)
            pending = []
    _ingest(engine, principal, pending, now, dry_run, report, progress)
    return report


def _ingest(engine: Engine, principal: Principal, pending: list, now: datetime, dry_run: bool, report: ImportReport,
            progress: Progress | None) -> None:
    if not pending:
        return
    drafts = [LeadDraft(partner_id=r.partner_id, origin=r.origin, customer=r.customer, message=r.message,
                        location_id=r.location_id, external_id=r.external_id) for r in pending]
    results = ingest_many(engine, drafts, now=now, by=principal.actor, dry_run=dry_run)
    for row, result in zip(pending, results, strict=True):
        if result.error is not None:
            report.add(field_errors(row.row, result.error.fields, result.error.message))
        elif result.created:
            report.created += 1
        else:
            report.existing += 1
    if progress is not None:
        progress(len(pending))
