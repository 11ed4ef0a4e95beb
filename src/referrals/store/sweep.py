"""The sweep's SQL, generated from the domain's time rules (domain/archiving.py): one UPDATE archives a batch of
due leads exactly as `Lead.expire`/`Lead.retire` would (status, outcome, archive time, version, last change, and the
names withheld from the customer key and the contacts from the search text when the outcome withholds contacts),
returning just the columns the rest needs; one executemany writes their history entries."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, literal_column, select, tuple_, update

from referrals.domain import lead_search
from referrals.domain.archiving import ARCHIVED, TimedArchive
from referrals.domain.history import Actor
from referrals.domain.lead import withholds_contact
from referrals.store.db import is_sqlite
from referrals.store.leadrows import KEY_SEPARATOR
from referrals.store.tables import lead_history, leads


def _batch_of_due(conn: Connection, rule: TimedArchive, now: datetime, batch: int):
    """The next `batch` due leads, walked in deadline order on the sweep's partial index."""
    deadline = leads.c[rule.deadline]
    due = (
        select(leads.c.partner_id, leads.c.id)
        .where(leads.c.status == rule.from_status.value, deadline.is_not(None), deadline <= now,
               leads.c.informational.is_(rule.informational))
        .order_by(deadline)
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


def _without_names(conn: Connection):
    """The customer key of a lead whose contacts are withheld: its company only (store.leadrows.customer_key on a
    withheld customer), computed in the UPDATE itself."""
    key, mark = leads.c.customer_key, KEY_SEPARATOR
    if is_sqlite(conn):
        return func.substr(key, 1, func.instr(key, mark) + len(mark) - 1)
    return func.split_part(key, mark, 1) + mark


def _search_without_contact(conn: Connection):
    """The search text of a lead whose contacts are withheld: everything before them (domain/lead_search.py), as
    store.leadrows.search_text writes it for a withheld customer."""
    text, mark = leads.c.search_text, lead_search.WITHHELD
    if is_sqlite(conn):
        return func.substr(text, 1, func.instr(text, mark))
    return func.split_part(text, mark, 1) + mark


def _changes(conn: Connection, rule: TimedArchive, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {"status": ARCHIVED.value, "outcome": rule.outcome.value, "archived_at": now,
                              "version": leads.c.version + 1, "updated_at": now}
    if withholds_contact(rule.outcome):
        values["customer_key"] = _without_names(conn)
        values["search_text"] = _search_without_contact(conn)
    return values


def archive_due(conn: Connection, rule: TimedArchive, now: datetime, batch: int,
                returning: Sequence[str] = ()) -> list[Any]:
    """Archive up to `batch` leads due under `rule`, with their history; answer the changed rows (partner_id, id,
    version and the `returning` columns). Rows another worker holds are skipped (PostgreSQL)."""
    names = ("partner_id", "id", "version", *(n for n in returning if n not in ("partner_id", "id", "version")))
    changed = conn.execute(
        update(leads)
        .where(_batch_of_due(conn, rule, now, batch), leads.c.status == rule.from_status.value)
        .values(**_changes(conn, rule, now))
        .returning(*(leads.c[name] for name in names))  # no second read, and no Lead objects: plain rows
    ).all()
    if changed:
        conn.execute(_history(rule, now),
                     [{"partner_id": row.partner_id, "lead_id": row.id, "version": row.version} for row in changed])
    return changed


def _history(rule: TimedArchive, now: datetime):
    """The batch's history entries: one executemany of (partner_id, lead_id, version), the rest constant."""
    system = Actor.system()
    return insert(lead_history).values(
        at=now, actor_id=system.user_id, actor_label=system.label, action=rule.action.value,
        from_status=rule.from_status.value, to_status=ARCHIVED.value, outcome=rule.outcome.value, details={},
    )
