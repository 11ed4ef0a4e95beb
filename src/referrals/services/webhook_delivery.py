"""Delivering webhooks from their outbox, like the email outbox (services/outbox.py): a drain leases a batch of due
deliveries, renews each claim right before its request and sends only while the claim is still its own; the attempt
is recorded in a short transaction after the answer. A worker that dies mid-batch leaves its claims to run out, and
the next drain sends those deliveries again with the same `webhook-id` (at-least-once: receivers deduplicate by it).

Any 2xx is delivered; anything else (no answer within 10 s, a refused address) is retried with exponential backoff
from 30 s, for a day; an endpoint with no success for three days is disabled and its admins are emailed."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from referrals import emails, metrics
from referrals.adapters import webhook_http
from referrals.config import get_settings
from referrals.domain.webhooks import is_delivered, next_attempt, signature_header, signing_secrets, to_disable
from referrals.store import users
from referrals.store import webhooks as store
from referrals.store.db import writing
from referrals.store.outbox import enqueue, message

LEASE = timedelta(minutes=1)  # outlasts one request: the connection and the answer within 10 s each

Post = Callable[[str, bytes, dict[str, str], list[str]], webhook_http.Answer]


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # claims that ran out before their turn: left to the next drain


def deliver(engine: Engine, *, clock: Callable[[], datetime], allow_hosts: Sequence[str], batch: int = 20,
            rounds: int = 50, lease: timedelta = LEASE, post: Post = webhook_http.post) -> DeliveryReport:
    """Send what is due, `batch` claims at a time."""
    tally = {"delivered": 0, "retried": 0, "failed": 0, "skipped": 0}
    for _ in range(rounds):
        with writing(engine) as conn:
            claimed = store.claim(conn, clock(), batch, lease)
        for row in claimed:
            fate = _deliver_one(engine, row, clock, list(allow_hosts), lease, post)
            tally[fate] += 1
            metrics.webhook(fate)
        if len(claimed) < batch:
            break
    return DeliveryReport(**tally)


def _deliver_one(engine: Engine, row: Any, clock: Callable[[], datetime], allow_hosts: list[str],
                 lease: timedelta, post: Post) -> str:
    with writing(engine) as conn:
        held = store.renew(conn, row.id, row.claimed_until, clock(), lease)
        hook = store.find(conn, row.webhook_id)
    if held is None or hook is None:
        return "skipped"
    now = clock()
    timestamp = int(now.timestamp())
    body = row.body.encode()
    signature = signature_header(signing_secrets(hook.secret, hook.previous_secret, hook.previous_until, now),
                                 row.id, timestamp, body)
    headers = {"webhook-id": row.id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}
    try:
        answer = post(hook.url, body, headers, allow_hosts)
    except webhook_http.Refused as error:
        answer = webhook_http.Answer(None, f"refused: {error}")
    return _record(engine, row, held, answer, clock())


def _record(engine: Engine, row: Any, held: datetime, answer: webhook_http.Answer, now: datetime) -> str:
    ok = is_delivered(answer.status_code)
    attempts = row.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "status_code": answer.status_code, "last_attempt_at": now,
                              "last_error": None if ok else (answer.error or f"HTTP {answer.status_code}")}
    if ok:
        fate, values = "delivered", {**values, "status": "delivered", "delivered_at": now}
    elif (later := next_attempt(row.created_at, attempts, now)) is not None:
        fate, values = "retried", {**values, "next_attempt_at": later}
    else:
        fate, values = "failed", {**values, "status": "failed"}
    with writing(engine) as conn:
        if not store.finish(conn, row.id, held, **values):
            return "skipped"
        hook = store.record_outcome(conn, row.webhook_id, ok, now)
        if hook is not None and hook.active and to_disable(hook.failing_since, now):
            _disable(conn, hook, now)
    return fate


def _disable(conn: Connection, hook: Any, now: datetime) -> None:
    """Stop calling an endpoint that failed for three days, and tell the admins who own it."""
    store.change(conn, hook.id, active=False, disabled_at=now)
    admins = users.referrals_admins(conn, hook.partner_id) if hook.partner_id else store.program_admins(conn)
    context = emails.webhook_disabled_context(hook.url, hook.failing_since, get_settings().base_url)
    for person in admins:
        enqueue(conn, message(key=f"webhook_disabled:{hook.id}:{now.isoformat()}:{person.address.lower()}",
                              template="webhook_disabled", recipient=person.address, language=person.language,
                              context=context, now=now, partner_id=hook.partner_id))
