"""The outbox: queue an email in the caller's transaction; drain the queue over SMTP.

Delivery is at-least-once with a narrow window: a message is claimed with a lease, sent, and marked
sent in its own tiny transaction right after the server accepted it. A crash between the accept and
the mark can resend that one message once the lease runs out; nothing is ever lost. Failures retry
with exponential backoff; permanent refusals and exhausted retries are kept as `failed`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, update

from referrals.adapters.smtp import PermanentFailure, SmtpMailer, TransientFailure, build_message
from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import NotFound
from referrals.domain.notify import MAX_ATTEMPTS, retry_after
from referrals.emails import render
from referrals.store.db import is_sqlite, reading, writing
from referrals.store.ids import new_id
from referrals.store.tables import outbox
from referrals.store.upsert import ignoring, insert_ignore

LEASE = timedelta(minutes=2)


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


@dataclass(frozen=True)
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _claim(engine: Engine, now: datetime, batch: int) -> list[Any]:
    with writing(engine) as conn:
        due = (
            select(outbox.c.id)
            .where(
                outbox.c.status == "pending",
                outbox.c.next_attempt_at <= now,
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
            )
            .order_by(outbox.c.next_attempt_at)
            .limit(batch)
        )
        if not is_sqlite(conn):
            due = due.with_for_update(skip_locked=True)
        return conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(due))
            .values(claimed_until=now + LEASE)
            .returning(*outbox.c)
        ).all()


def _finish(engine: Engine, message_id: str, claimed_until: datetime, **values: Any) -> None:
    with writing(engine) as conn:
        conn.execute(
            update(outbox)
            .where(and_(outbox.c.id == message_id, outbox.c.claimed_until == claimed_until))
            .values(claimed_until=None, **values)
        )


def drain(engine: Engine, mailer: SmtpMailer, *, now: datetime, batch: int = 50, rounds: int = 100) -> DrainReport:
    """Send what is due; each message is marked in its own transaction as soon as its fate is known."""
    sent = retried = failed = 0
    if not mailer.configured:
        return DrainReport()  # no SMTP server: messages wait in the outbox, visible to program admins
    for _ in range(rounds):
        claimed = _claim(engine, now, batch)
        for row in claimed:
            rendered = render(row.template, row.language, row.context)
            message = build_message(sender=mailer.settings.mail_from, recipient=row.recipient,
                                    subject=rendered.subject, text=rendered.text, html=rendered.html,
                                    key=row.idempotency_key)
            try:
                mailer.send(message)
            except PermanentFailure as error:
                failed += 1
                _finish(engine, row.id, row.claimed_until, status="failed", attempts=row.attempts + 1,
                        last_error=str(error)[:2000])
                continue
            except TransientFailure as error:
                attempts = row.attempts + 1
                gave_up = attempts >= MAX_ATTEMPTS
                failed, retried = failed + gave_up, retried + (not gave_up)
                _finish(engine, row.id, row.claimed_until, status="failed" if gave_up else "pending",
                        attempts=attempts, last_error=str(error)[:2000],
                        next_attempt_at=now + retry_after(attempts))
                continue
            sent += 1
            _finish(engine, row.id, row.claimed_until, status="sent", sent_at=now, attempts=row.attempts + 1)
        if len(claimed) < batch:
            break
    return DrainReport(sent, retried, failed)


def list_messages(engine: Engine, principal: Principal, *, status: str | None = None, limit: int = 100) -> list:
    """The outbox as program admins see it: what waits, what went, what failed and why."""
    principal.require(Role.PROGRAM_ADMIN)
    with reading(engine) as conn:
        query = select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.id.desc()).limit(max(1, min(limit, 500)))
        if status:
            query = query.where(outbox.c.status == status)
        return conn.execute(query).all()


def retry_message(engine: Engine, principal: Principal, message_id: str, *, now: datetime) -> None:
    """Send a failed message again (after fixing the address or the server, say)."""
    principal.require(Role.PROGRAM_ADMIN)
    with writing(engine) as conn:
        changed = conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id, outbox.c.status == "failed")
            .values(status="pending", next_attempt_at=now, attempts=0, claimed_until=None)
        ).rowcount
    if changed != 1:
        raise NotFound("No failed message with this id.")
