"""The expiring-soon reminder's SQL: one UPDATE marks a batch of received leads whose deadline is near as
reminded (once: the partial index `ix_leads_remind` holds only leads not reminded yet) and returns them as Leads,
which the reminder names and links."""

from datetime import datetime

from sqlalchemy import Connection, func, literal_column, select, tuple_, update

from referrals.domain.lead import Lead
from referrals.domain.windows import reminder_due_from
from referrals.store.db import is_sqlite
from referrals.store.leadrows import row_to_lead
from referrals.store.tables import leads

_RETURNED = [column for column in leads.c if column.name != "raw_payload"]


def _batch_of_due(conn: Connection, now: datetime, batch: int):
    due = (
        select(leads.c.partner_id, leads.c.id)
        .where(leads.c.status == "received", leads.c.response_due_at.is_not(None), leads.c.reminded_at.is_(None),
               leads.c.response_due_at > now, leads.c.response_due_at <= reminder_due_from(now))
        .order_by(leads.c.response_due_at)
        .limit(batch)
    )
    if is_sqlite(conn):
        return tuple_(leads.c.partner_id, leads.c.id).in_(due)
    ctid = literal_column("ctid")  # as the sweep does (store/sweep.py): a TID scan of exactly the locked batch
    return ctid == func.any(func.array(due.with_only_columns(ctid).with_for_update(skip_locked=True)
                                       .scalar_subquery()))


def mark_due(conn: Connection, now: datetime, batch: int) -> list[Lead]:
    """Up to `batch` received leads due a reminder, marked reminded in this transaction; rows another worker holds
    are skipped (PostgreSQL)."""
    rows = conn.execute(
        update(leads)
        .where(_batch_of_due(conn, now, batch), leads.c.reminded_at.is_(None), leads.c.status == "received")
        .values(reminded_at=now)
        .returning(*_RETURNED)
    ).all()
    return [row_to_lead(row) for row in rows]
