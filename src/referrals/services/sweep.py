"""The time rules running by themselves: expire actionable leads nobody answered within the response
window, and retire informational leads after six months.

Set-based: each batch is one UPDATE of up to `batch` due rows (skipping rows another worker holds, on
PostgreSQL) returning just the columns the rest needs, plus one executemany of their history entries and one
of their expiry emails, built from those plain rows (no Lead objects), in its own short transaction. Running it twice,
or in two workers at once, expires each lead exactly once.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, literal_column, select, tuple_, update

from referrals.domain.enums import Action, Outcome, Status
from referrals.services import notifications
from referrals.store.db import is_sqlite, writing
from referrals.store.leadrows import KEY_SEPARATOR
from referrals.store.tables import lead_history, leads

BATCH = 5000  # SQLite: no statement near 300 ms at this size
POSTGRES_BATCH = 1000  # PostgreSQL updates nine indexes per row: 5,000 rows took ~1 s a statement, 1,000 stay short


@dataclass(frozen=True)
class SweepReport:
    expired: int
    retired: int


def _batch_of_due(conn, due_column, now: datetime, batch: int):
    """The next `batch` due leads, walked in deadline order on the sweep's partial index."""
    due = (
        select(leads.c.partner_id, leads.c.id)
        .where(leads.c.status == Status.RECEIVED.value, due_column.is_not(None), due_column <= now)
        .order_by(due_column)
        .limit(batch)
    )
    if is_sqlite(conn):
        return tuple_(leads.c.partner_id, leads.c.id).in_(due)
    # PostgreSQL plans `(partner_id, id) IN (subquery)` as a hash join over every received lead (a second per
    # batch at 200,000 leads); the locked rows' ctids make the UPDATE a TID scan of exactly the batch. A
    # locked row cannot move, so its ctid stays valid until this statement updates it.
    ctid = literal_column("ctid")
    locked = due.with_only_columns(ctid).with_for_update(skip_locked=True)
    return ctid == func.any(func.array(locked.scalar_subquery()))


def _without_names(conn):
    """The customer key of an expired lead: its company only (store.leadrows.customer_key on a withheld
    customer), computed in the UPDATE itself."""
    key, mark = leads.c.customer_key, KEY_SEPARATOR
    if is_sqlite(conn):
        return func.substr(key, 1, func.instr(key, mark) + len(mark) - 1)
    return func.split_part(key, mark, 1) + mark


def _history(action: Action, now: datetime):
    """The batch's history entries: one executemany of (partner_id, lead_id, version), the rest constant."""
    return insert(lead_history).values(
        at=now, actor_id=None, actor_label="system", action=action.value, from_status=Status.RECEIVED.value,
        to_status=Status.ARCHIVED.value, outcome=Outcome.EXPIRED.value, details={},
    )


def _returned(action: Action):
    """What the UPDATE hands back: the keys for the history, and for expiries what their emails need."""
    names = ("partner_id", "id", "version")
    if action is Action.EXPIRED:
        names += tuple(name for name in notifications.Expired._fields if name not in names)
    return [leads.c[name] for name in names]


def _archive_due(engine: Engine, due_column, action: Action, now: datetime, batch: int) -> int:
    total = 0
    while True:
        with writing(engine) as conn:
            changed = conn.execute(
                update(leads)
                .where(_batch_of_due(conn, due_column, now, batch), leads.c.status == Status.RECEIVED.value)
                .values(
                    status=Status.ARCHIVED.value,
                    outcome=Outcome.EXPIRED.value,
                    archived_at=now,
                    version=leads.c.version + 1,
                    customer_key=_without_names(conn),
                )
                .returning(*_returned(action))  # no second read, and no Lead objects: plain rows
            ).all()
            if changed:
                conn.execute(_history(action, now),
                             [{"partner_id": row.partner_id, "lead_id": row.id, "version": row.version}
                              for row in changed])
                if action is Action.EXPIRED:
                    notifications.on_expired_rows(conn, changed, now)
        total += len(changed)
        if len(changed) < batch:
            return total


def sweep(engine: Engine, *, now: datetime, batch: int | None = None) -> SweepReport:
    batch = batch or (BATCH if is_sqlite(engine) else POSTGRES_BATCH)
    expired = _archive_due(engine, leads.c.response_due_at, Action.EXPIRED, now, batch)
    retired = _archive_due(engine, leads.c.archive_due_at, Action.RETIRED, now, batch)
    return SweepReport(expired, retired)
