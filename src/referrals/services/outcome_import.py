"""Outcome updates from a CRM (Referrals admins): each row names one of the partner's leads and how its deal ended;
it goes through the same use cases as the lead page (`services/lifecycle.py`: edit the deal's value, close), so
the lead's own guard judges it. A lead of another partner, or none, is that row's "not found": never its data."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.errors import DomainError, NotFound
from referrals.domain.lead import Lead
from referrals.domain.lead_import import MAX_ERRORS, CellError, read_cells
from referrals.domain.outcome_import import (
    OUTCOME_COLUMNS,
    OutcomeRow,
    already,
    outcome_row,
    replay,
    row_errors,
    value_change,
)
from referrals.services import lifecycle
from referrals.services.lead_import import ImportReport, open_file
from referrals.store.db import reading
from referrals.store.leads import find_by_external_id, load_lead


@dataclass
class OutcomeReport:
    rows: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    error_count: int = 0

    def add(self, errors: list[CellError]) -> None:
        self.error_count += len(errors)
        self.errors.extend(errors[:max(MAX_ERRORS - len(self.errors), 0)])

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "updated": self.updated, "unchanged": self.unchanged,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
                "error_count": self.error_count}


def import_outcomes(engine: Engine, principal: Principal, stream: TextIO, *, now: datetime,
                    dry_run: bool = False) -> OutcomeReport:
    partner_id = principal.partner_scope(acting=True)
    zone = lifecycle.partner_zone(engine, principal)
    report, header_report = OutcomeReport(), ImportReport()
    opened = open_file(stream, OUTCOME_COLUMNS, header_report)
    if opened is None:
        report.add(header_report.errors)
        return report
    header, rows = opened
    for number, record in rows:
        report.rows += 1
        errors: list[CellError] = []
        wanted = outcome_row(number, read_cells(header, record, number, OUTCOME_COLUMNS, errors), errors)
        if wanted is None:
            report.add(errors)
            continue
        try:
            changed = _apply(engine, principal, partner_id, wanted, now, zone, dry_run)
        except DomainError as error:
            report.add(_errors(wanted, error))
            continue
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    report.add(header_report.errors)  # a record the csv module could not read ends the file
    return report


def _errors(wanted: OutcomeRow, error: DomainError) -> list[CellError]:
    if isinstance(error, NotFound):
        return [CellError(wanted.row, "LeadId" if wanted.lead_id else "ExternalId", "not found")]
    return row_errors(wanted.row, error)


def _find(engine: Engine, partner_id: str, wanted: OutcomeRow) -> Lead:
    with reading(engine) as conn:
        if wanted.lead_id:
            return load_lead(conn, partner_id, wanted.lead_id)
        lead = find_by_external_id(conn, partner_id, wanted.external_id or "")
    if lead is None:
        raise NotFound("not found")
    return lead


def _apply(engine: Engine, principal: Principal, partner_id: str, wanted: OutcomeRow, now: datetime, zone: str,
           dry_run: bool) -> bool:
    """Whether the row changed the lead (with `dry_run`: would have)."""
    lead = _find(engine, partner_id, wanted)
    if already(lead, wanted):
        return False
    replay(lead, wanted, by=principal.actor, now=now, zone=zone)  # the guards, on the copy just read
    if dry_run:
        return True
    if changes := value_change(_find(engine, partner_id, wanted), wanted):
        lifecycle.edit_deal(engine, principal, lead.id, changes, now=now)
    lifecycle.close_lead(engine, principal, lead.id, wanted.outcome, wanted.reason, wanted.notes, now=now)
    return True
