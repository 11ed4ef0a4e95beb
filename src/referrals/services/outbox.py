"""Draining the outbox over SMTP, and the program admins' view of it.

Delivery is at-least-once with a narrow window. A drain leases a batch of due messages; right before each send it
renews that message's claim with the current time, and sends only if the claim was still its own. So a message
that waited behind slow sends until its lease ran out is left to whoever claims it next, instead of being sent by
two drains at once. The message is marked sent in its own tiny transaction right after the server accepted it:
a crash between the accept and the mark can resend that one message (with the same Message-ID) once its lease
runs out; nothing is ever lost. Failures retry with exponential backoff; permanent refusals and exhausted retries
are kept as `failed`.

`LEASE` must outlast one send: the SMTP client cuts a send off after `SEND_DEADLINE` (60 s) however slowly the
server answers (adapters/smtp.py), and the claim is renewed right before it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from referrals import metrics
from referrals.adapters.smtp import PermanentFailure, SmtpMailer, TransientFailure, build_message
from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import NotFound
from referrals.domain.notify import MAX_ATTEMPTS, retry_after
from referrals.emails import render
from referrals.store import outbox as store

LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # claims that ran out before their turn came: left to the next drain


def drain(engine: Engine, mailer: SmtpMailer, *, now: datetime | None = None,
          clock: Callable[[], datetime] | None = None, batch: int = 50, rounds: int = 100,
          lease: timedelta | None = None) -> DrainReport:
    """Send what is due. Jobs pass `clock` (read before every claim, renewal and mark); tests may pass a fixed
    `now` instead."""
    if clock is None:
        if now is None:
            raise TypeError("drain needs `now` or `clock`")
        clock = lambda: now  # noqa: E731 (a fixed moment is a clock that does not move)
    lease = lease or LEASE
    if not mailer.configured:
        return DrainReport()  # no SMTP server: messages wait in the outbox, visible to program admins
    tally = {"sent": 0, "retried": 0, "failed": 0, "skipped": 0}
    for _ in range(rounds):
        claimed = store.claim(engine, clock(), batch, lease)
        for row in claimed:
            held = store.renew(engine, row.id, row.claimed_until, clock(), lease)
            if held is None:
                tally["skipped"] += 1
                continue
            fate, values = _send(mailer, row, clock)
            tally[fate] += 1
            metrics.email(fate)
            store.finish(engine, row.id, held, **values)
        if len(claimed) < batch:
            break
    return DrainReport(**tally)


def _send(mailer: SmtpMailer, row: Any, clock: Callable[[], datetime]) -> tuple[str, dict[str, Any]]:
    """Send one claimed message; answer its fate and the columns that record it."""
    rendered = render(row.template, row.language, row.context)
    message = build_message(sender=mailer.settings.mail_from, recipient=row.recipient, subject=rendered.subject,
                            text=rendered.text, html=rendered.html, key=row.idempotency_key)
    attempts = row.attempts + 1
    try:
        mailer.send(message)
    except PermanentFailure as error:
        return "failed", {"status": "failed", "attempts": attempts, "last_error": str(error)[:2000]}
    except TransientFailure as error:
        gave_up = attempts >= MAX_ATTEMPTS
        return ("failed" if gave_up else "retried"), {
            "status": "failed" if gave_up else "pending", "attempts": attempts, "last_error": str(error)[:2000],
            "next_attempt_at": clock() + retry_after(attempts)}
    return "sent", {"status": "sent", "sent_at": clock(), "attempts": attempts}


def list_messages(engine: Engine, principal: Principal, *, status: str | None = None, limit: int = 100) -> list:
    """The outbox as program admins see it: what waits, what went, what failed and why."""
    principal.require(Role.PROGRAM_ADMIN)
    return store.recent(engine, status=status or None, limit=max(1, min(limit, 500)))


def retry_message(engine: Engine, principal: Principal, message_id: str, *, now: datetime) -> None:
    """Send a failed message again (after fixing the address or the server, say)."""
    principal.require(Role.PROGRAM_ADMIN)
    if not store.requeue_failed(engine, message_id, now):
        raise NotFound("No failed message with this id.")
