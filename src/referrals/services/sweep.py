"""The time rules running by themselves: expire actionable leads nobody answered within the response
window, and retire informational leads after six months (domain/archiving.py declares both); and recall each
received lead once, 48 hours before it would expire.

Set-based: each batch is one UPDATE of up to `batch` due rows (skipping rows another worker holds, on
PostgreSQL) returning just the columns the rest needs, plus one executemany of their history entries and one
of their expiry emails, built from those plain rows (no Lead objects), in its own short transaction. Running it
twice, or in two workers at once, archives each lead exactly once.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals import metrics
from referrals.domain.archiving import EXPIRY, RETIREMENT, TimedArchive
from referrals.services import notifications, retention
from referrals.store import reminders
from referrals.store import sweep as store
from referrals.store.db import is_sqlite, writing

BATCH = 5000  # SQLite: no statement near 300 ms at this size
POSTGRES_BATCH = 1000  # PostgreSQL updates nine indexes per row: 5,000 rows took ~1 s a statement, 1,000 stay short
RETENTION_BATCH = 1000  # each anonymised lead is one row of an executemany, with its history read and redacted
REMINDER_BATCH = 500  # each reminded lead queues its emails in the same transaction


@dataclass(frozen=True)
class SweepReport:
    expired: int
    retired: int
    reminded: int = 0  # received leads recalled 48 hours before they expire
    anonymised: int = 0  # archived leads past REFERRALS_RETENTION_MONTHS (services/retention.py)


def _archive_due(engine: Engine, rule: TimedArchive, now: datetime, batch: int) -> int:
    """Apply one time rule in batches, each in its own transaction with the emails it sends."""
    told = notifications.Expired._fields if rule.tells_referrer else ()
    total = 0
    while True:
        with writing(engine) as conn:
            changed = store.archive_due(conn, rule, now, batch, returning=told)
            if changed and rule.tells_referrer:
                notifications.on_expired_rows(conn, changed, now)
        total += len(changed)
        metrics.leads_archived(expired=len(changed) if rule is EXPIRY else 0,
                               retired=len(changed) if rule is RETIREMENT else 0)
        if len(changed) < batch:
            return total


def _remind(engine: Engine, now: datetime, batch: int) -> int:
    """One reminder per received lead nobody answered, 48 hours before it expires: to its owner, or unowned to
    whoever got the new-lead email."""
    total = 0
    while True:
        with writing(engine) as conn:
            due = reminders.mark_due(conn, now, batch)
            people: dict = {}  # each partner's people looked up once a batch
            for lead in due:
                notifications.on_expiring_soon(conn, lead, now, people)
        total += len(due)
        if len(due) < batch:
            return total


def sweep(engine: Engine, *, now: datetime, batch: int | None = None, remind: bool = True,
          retention_months: int | None = None) -> SweepReport:
    """`remind=False` archives without recalling anyone: replaying a past moment (the demo's history) must not
    remind people of leads whose deadline is long gone. `retention_months` (REFERRALS_RETENTION_MONTHS) also
    anonymises leads archived longer ago; None (unset) does nothing of the kind, not even a query."""
    batch = batch or (BATCH if is_sqlite(engine) else POSTGRES_BATCH)
    expired = _archive_due(engine, EXPIRY, now, batch)
    retired = _archive_due(engine, RETIREMENT, now, batch)
    reminded = _remind(engine, now, min(batch, REMINDER_BATCH)) if remind else 0
    anonymised = 0
    if retention_months:
        anonymised = retention.anonymise_archived(engine, now=now, months=retention_months,
                                                  batch=min(batch, RETENTION_BATCH))
    return SweepReport(expired, retired, reminded, anonymised)
