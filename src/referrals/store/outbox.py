"""The outbox table: queueing in the caller's transaction, leased claims, and the admins' view."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select, update

from referrals.store.db import is_sqlite, reading, writing
from referrals.store.ids import new_id
from referrals.store.tables import outbox
from referrals.store.upsert import ignoring, insert_ignore


def message(
    *, key: str, template: str, recipient: str, language: str, context: dict[str, Any], now: datetime,
    partner_id: str | None = None,
) -> dict[str, Any]:
    """An outbox row; its idempotency key is the event plus the recipient."""
    return _own(key, recipient, language, context, partner_id, now) | _shared(template, now)


def _own(key: str, recipient: str, language: str, context: dict[str, Any], partner_id: str | None,
         now: datetime) -> dict[str, Any]:
    """The columns particular to one message."""
    return {"id": new_id(int(now.timestamp() * 1000)), "idempotency_key": key[:300], "recipient": recipient,
            "language": language, "context": context, "partner_id": partner_id}


def _shared(template: str, now: datetime) -> dict[str, Any]:
    """The columns every message of one template queued at one moment has in common: a new, pending email."""
    return {"template": template, "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}


def enqueue(conn: Connection, *messages: dict[str, Any]) -> int:
    """Queue emails in the caller's transaction; a key already queued queues nothing. Answers how many."""
    return insert_ignore(conn, outbox, list(messages), ["idempotency_key"])


def enqueue_many(conn: Connection, template: str, now: datetime, messages: list[tuple]) -> None:
    """The bulk path for a set-based job: many emails of one template at one moment, each given as
    (key, recipient, language, context, partner_id). What they share is written once in the statement, and
    nothing is counted back, so it is one plain executemany. A key already queued queues nothing."""
    if not messages:
        return
    statement = ignoring(conn, outbox, ["idempotency_key"]).values(**_shared(template, now))
    conn.execute(statement, [_own(*fields, now) for fields in messages])


def claim(engine: Engine, now: datetime, batch: int, lease: timedelta) -> list[Row]:
    """Lease up to `batch` due messages to the caller until `now + lease`; another drain skips them meanwhile."""
    with writing(engine) as conn:
        due = (
            select(outbox.c.id)
            .where(
                outbox.c.status == "pending",
                outbox.c.next_attempt_at <= now,
                (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until <= now),
            )
            .order_by(outbox.c.next_attempt_at)
            .limit(batch)
        )
        if not is_sqlite(conn):
            due = due.with_for_update(skip_locked=True)
        return conn.execute(
            update(outbox).where(outbox.c.id.in_(due)).values(claimed_until=now + lease).returning(*outbox.c)
        ).all()


def renew(engine: Engine, message_id: str, held_until: datetime, now: datetime, lease: timedelta) -> datetime | None:
    """Extend a claim still held at `now` to `now + lease` and answer the new term; None when the claim ran out
    (or was taken over), in which case the caller must not send: another drain may be sending it already."""
    until = now + lease
    with writing(engine) as conn:
        changed = conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id, outbox.c.status == "pending",
                   outbox.c.claimed_until == held_until, outbox.c.claimed_until > now)
            .values(claimed_until=until)
        ).rowcount
    return until if changed == 1 else None


def finish(engine: Engine, message_id: str, held_until: datetime, **values: Any) -> bool:
    """Record a message's fate and release its claim, if the claim is still the caller's."""
    with writing(engine) as conn:
        return conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id, outbox.c.claimed_until == held_until)
            .values(claimed_until=None, **values)
        ).rowcount == 1


def recent(engine: Engine, *, status: str | None, limit: int) -> list[Row]:
    with reading(engine) as conn:
        query = select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.id.desc()).limit(limit)
        if status:
            query = query.where(outbox.c.status == status)
        return conn.execute(query).all()


def requeue_failed(engine: Engine, message_id: str, now: datetime) -> bool:
    with writing(engine) as conn:
        return conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id, outbox.c.status == "failed")
            .values(status="pending", next_attempt_at=now, attempts=0, claimed_until=None)
        ).rowcount == 1


def pending_summary(conn: Connection) -> tuple[int, datetime | None]:
    """How many emails wait (claimed or not) and when the oldest of them was queued: one range of
    ix_outbox_status_created, read at each /metrics scrape."""
    count, oldest = conn.execute(
        select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.status == "pending")).one()
    return count, oldest
