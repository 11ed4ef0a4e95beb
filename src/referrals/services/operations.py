"""What the operators' probes read: the backlog of the two outboxes for /metrics, and whether the database
answers for /readyz."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals.store import health
from referrals.store import outbox as outbox_store
from referrals.store import webhooks as webhooks_store
from referrals.store.db import reading


@dataclass(frozen=True)
class Backlog:
    emails_pending: int
    oldest_email_age: float  # seconds since the oldest pending email was queued; 0 when none waits
    webhooks_pending: int


def backlog(engine: Engine, now: datetime) -> Backlog:
    """Two index reads in one snapshot; cheap enough for every scrape."""
    with reading(engine) as conn:
        pending, oldest = outbox_store.pending_summary(conn)
        webhooks = webhooks_store.pending_count(conn)
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(pending, age, webhooks)


def database_answers(engine: Engine) -> None:
    """Raises when the database cannot be reached."""
    health.ping(engine)
