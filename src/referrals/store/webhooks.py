"""Webhooks and their deliveries: endpoints by owner, the active ones a lead's event reaches (one probe of the
partial index `ix_webhooks_active`), deliveries queued in the caller's transaction, and leased claims like the email
outbox's (store/outbox.py)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, or_, select, true, union_all, update

from referrals.domain.enums import Role
from referrals.domain.notify import Person
from referrals.store.db import is_sqlite
from referrals.store.tables import users, webhooks
from referrals.store.tables import webhook_deliveries as deliveries

MATCHING = (webhooks.c.id, webhooks.c.partner_id, webhooks.c.kind, webhooks.c.events, webhooks.c.partner_ids)


def add(conn: Connection, **values: Any) -> None:
    conn.execute(insert(webhooks).values(**values))


def find(conn: Connection, webhook_id: str) -> Row | None:
    return conn.execute(select(webhooks).where(webhooks.c.id == webhook_id)).first()


def owned(conn: Connection, partner_id: str | None, kind: str | None = None) -> list[Row]:
    """A partner's webhooks (partner_id given), or the program's (None), oldest first."""
    owner = webhooks.c.partner_id.is_(None) if partner_id is None else webhooks.c.partner_id == partner_id
    query = select(webhooks).where(owner).order_by(webhooks.c.created_at, webhooks.c.id)
    if kind is not None:
        query = query.where(webhooks.c.kind == kind)
    return list(conn.execute(query).all())


def compat_of(conn: Connection, partner_id: str) -> Row | None:
    return conn.execute(select(webhooks).where(webhooks.c.compat_partner_id == partner_id)).first()


def remove(conn: Connection, webhook_id: str) -> None:
    conn.execute(delete(deliveries).where(deliveries.c.webhook_id == webhook_id))
    conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id))


def change(conn: Connection, webhook_id: str, **values: Any) -> None:
    conn.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(**values))


def active_for(conn: Connection, partner_ids: Sequence[str]) -> list[Row]:
    """The active webhooks that may hear of these partners' leads: their own and the program's. Two probes of the
    partial index `ix_webhooks_active` (an OR of the two would scan the table)."""
    active = webhooks.c.active == true()
    return list(conn.execute(union_all(
        select(*MATCHING).where(active, webhooks.c.partner_id.in_(sorted(set(partner_ids)))),
        select(*MATCHING).where(active, webhooks.c.partner_id.is_(None)),
    )).all())


def enqueue(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(deliveries), rows)


def claim(conn: Connection, now: datetime, batch: int, lease: timedelta) -> list[Row]:
    """Lease up to `batch` due deliveries of active webhooks until `now + lease`; others skip them meanwhile."""
    due = (
        select(deliveries.c.id)
        .join(webhooks, webhooks.c.id == deliveries.c.webhook_id)
        .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now, webhooks.c.active.is_(True),
               or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until <= now))
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(batch)
    )
    if not is_sqlite(conn):
        due = due.with_for_update(of=deliveries, skip_locked=True)
    claimed = conn.execute(
        update(deliveries).where(deliveries.c.id.in_(due)).values(claimed_until=now + lease)
        .returning(*deliveries.c)
    ).all()
    return sorted(claimed, key=lambda row: (row.next_attempt_at, row.id))  # RETURNING keeps no order


def renew(conn: Connection, delivery_id: str, held_until: datetime, now: datetime, lease: timedelta) -> datetime | None:
    """Extend a claim still held at `now`; None when it ran out (then the caller must not send)."""
    until = now + lease
    changed = conn.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.status == "pending",
               deliveries.c.claimed_until == held_until, deliveries.c.claimed_until > now)
        .values(claimed_until=until)
    ).rowcount
    return until if changed == 1 else None


def finish(conn: Connection, delivery_id: str, held_until: datetime, **values: Any) -> bool:
    """Record an attempt and release the claim, if the claim is still the caller's."""
    return conn.execute(
        update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.claimed_until == held_until)
        .values(claimed_until=None, **values)
    ).rowcount == 1


def record_outcome(conn: Connection, webhook_id: str, ok: bool, now: datetime) -> Row | None:
    """A success clears the endpoint's failing streak; a failure starts one (if none runs). Answers the webhook."""
    since = None if ok else func.coalesce(webhooks.c.failing_since, now)
    conn.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(failing_since=since))
    return find(conn, webhook_id)


def log(conn: Connection, webhook_id: str, limit: int) -> list[Row]:
    return list(conn.execute(
        select(deliveries).where(deliveries.c.webhook_id == webhook_id)
        .order_by(deliveries.c.created_at.desc(), deliveries.c.id.desc()).limit(limit)
    ).all())


def find_delivery(conn: Connection, webhook_id: str, delivery_id: str) -> Row | None:
    return conn.execute(select(deliveries).where(deliveries.c.webhook_id == webhook_id,
                                                 deliveries.c.id == delivery_id)).first()


def redeliver(conn: Connection, delivery_id: str, now: datetime) -> None:
    """Send it again soon, with the same `webhook-id` and body; the day of retries starts again."""
    conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(
        status="pending", next_attempt_at=now, created_at=now, claimed_until=None))


def program_admins(conn: Connection) -> list[Person]:
    """The program's active admins as email recipients."""
    rows = conn.execute(select(users.c.email, users.c.language, users.c.notification_email, users.c.roles)
                        .where(users.c.partner_id.is_(None), users.c.active.is_(True))
                        .order_by(users.c.created_at, users.c.id)).all()
    return [Person(r.email, r.language or "en", r.notification_email) for r in rows
            if Role.PROGRAM_ADMIN.value in r.roles.split()]


def pending_count(conn: Connection) -> int:
    """Deliveries waiting to go (or to be retried): the partial index ix_webhook_deliveries_due, counted at each
    /metrics scrape."""
    pending = select(func.count()).select_from(deliveries).where(deliveries.c.status == "pending")
    return conn.execute(pending).scalar_one()
