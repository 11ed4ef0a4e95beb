"""Importing a program's history (program admins): closed leads from its old system, each ingested in history mode
(its own past `received_at`: not handed out, nobody told) and then taken through the lifecycle's own use cases
(`services/lifecycle.py`: accept, close, decline) at the row's past times, quietly: no email, no webhook.

Every row is first rehearsed on a throw-away lead (`domain/history_import.py: rehearse`), so a row the transitions
would refuse is reported and nothing of it written. Idempotent by `ExternalId`: a lead already there is left as it
is, unless an interrupted run left it short of its end, which the next run finishes.
"""

from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role, Status
from referrals.domain.errors import DomainError
from referrals.domain.history_import import (
    HISTORY_COLUMNS,
    HISTORY_FIELDS,
    IMPORTED_NOTES,
    HistoryRow,
    deal_terms,
    history_row,
    rehearse,
    steps,
)
from referrals.domain.lead import Lead
from referrals.domain.lead_import import CellError, field_errors, lead_row, read_cells
from referrals.services import lifecycle
from referrals.services.ingest import LeadDraft, ingest_many
from referrals.services.lead_import import ImportReport, Progress, as_staff, open_file
from referrals.store import partners, users
from referrals.store.db import reading

BATCH = 200
Facts = dict[str, tuple[str, str | None] | None]  # partner -> (time zone, a Referrals admin), None: no such partner


def import_history(engine: Engine, principal: Principal, stream: TextIO, *, now: datetime, dry_run: bool = False,
                   progress: Progress | None = None) -> ImportReport:
    principal.require(Role.PROGRAM_ADMIN)
    report = ImportReport()
    opened = open_file(stream, HISTORY_COLUMNS, report)
    if opened is None:
        return report
    header, rows = opened
    referrer, pending, facts = as_staff(principal), [], {}
    for number, record in rows:
        report.rows += 1
        errors: list[CellError] = []
        cells = read_cells(header, record, number, HISTORY_COLUMNS, errors)
        history = None if errors else history_row(lead_row(number, cells, referrer), cells, now, errors)
        if history is not None:
            errors = _rehearsed(engine, principal, history, facts)
        if errors:
            report.add(errors)
        else:
            pending.append(history)
        if len(pending) >= BATCH:
            _import(engine, principal, pending, facts, now, dry_run, report, progress)
            pending = []
    _import(engine, principal, pending, facts, now, dry_run, report, progress)
    return report


def _facts(engine: Engine, partner_id: str, facts: Facts) -> tuple[str, str | None] | None:
    if partner_id not in facts:
        with reading(engine) as conn:
            if not partners.exists(conn, partner_id):
                facts[partner_id] = None
            else:
                admins = sorted(users.active_admin_ids(conn, partner_id))
                facts[partner_id] = (partners.load(conn, partner_id).timezone, admins[0] if admins else None)
    return facts[partner_id]


def _rehearsed(engine: Engine, principal: Principal, history: HistoryRow, facts: Facts) -> list[CellError]:
    """The row's errors from its transitions, tried on a throw-away lead (an unknown partner is ingestion's to
    report)."""
    known = _facts(engine, history.lead.partner_id, facts)
    if known is None:
        return []
    zone, admin = known
    if admin is None and steps(history)[0].action == "accept":
        return [CellError(history.row, "PartnerId", "has no active Referrals admin to hold the imported deal")]
    try:
        rehearse(history, by=principal.actor, team_member_id=admin or "", zone=zone)
    except DomainError as error:
        return _errors(history.row, error)
    return []


def _errors(row: int, error: DomainError) -> list[CellError]:
    mapped = field_errors(row, error.fields, error.message, HISTORY_COLUMNS)
    return [e if e.column else CellError(e.row, HISTORY_FIELDS.get(name), e.message)
            for e, name in zip(mapped, error.fields or [None], strict=False)]


def _import(engine: Engine, principal: Principal, pending: list[HistoryRow], facts: Facts, now: datetime,
            dry_run: bool, report: ImportReport, progress: Progress | None) -> None:
    if not pending:
        return
    drafts = [LeadDraft(partner_id=h.lead.partner_id, origin=h.lead.origin, customer=h.lead.customer,
                        message=h.lead.message, location_id=h.lead.location_id, external_id=h.lead.external_id,
                        received_at=h.received_at) for h in pending]
    results = ingest_many(engine, drafts, now=now, by=principal.actor, dry_run=dry_run)
    for history, result in zip(pending, results, strict=True):
        if result.error is not None:
            report.add(field_errors(history.row, result.error.fields, result.error.message))
            continue
        if result.created:
            report.created += 1
        else:
            report.existing += 1
        if not dry_run and result.lead is not None:
            try:
                _replay(engine, principal, result.lead, history, facts)
            except DomainError as error:  # changed since the rehearsal (a deactivated admin...): said, not lost
                report.add(_errors(history.row, error))
    if progress is not None:
        progress(len(pending))


def _replay(engine: Engine, principal: Principal, lead: Lead, history: HistoryRow, facts: Facts) -> None:
    """The row's transitions still ahead of the lead (all of them for a new lead), quietly, at their times."""
    zone, admin = facts[history.lead.partner_id] or ("UTC", None)
    # The program admin acts for the partner whose history this is; the history entries name the admin.
    acting = Principal(principal.user_id, principal.email, lead.partner_id, frozenset({Role.REFERRALS_ADMIN}))
    done = {Status.RECEIVED: 0, Status.ACCEPTED: 1}.get(lead.status)
    if done is None:
        return
    for step in steps(history)[done:]:
        if step.action == "decline":
            lifecycle.decline_lead(engine, acting, lead.id, history.reason, history.notes or IMPORTED_NOTES,  # type: ignore[arg-type]
                                   now=step.at, quiet=True)
        elif step.action == "accept":
            lifecycle.accept_lead(engine, acting, lead.id, deal_terms(history, admin or "", zone), now=step.at,
                                  quiet=True)
        else:
            lifecycle.close_lead(engine, acting, lead.id, history.outcome, history.reason, history.notes,
                                 now=step.at, quiet=True)
