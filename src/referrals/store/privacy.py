"""The SQL of erasing a person (services/privacy.py): finding every row that holds them, and writing each back
without them. Rows are found by the person's addresses (lower-cased, in the forms `domain.privacy.address_forms`
gives) and by the ids of the leads that are theirs; free text is read here and redacted by the domain."""

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, bindparam, cast, delete, func, insert, or_, select, update

from referrals.domain.privacy import PERSONAL_COLUMNS
from referrals.store.db import is_sqlite
from referrals.store.ids import new_id
from referrals.store.tables import (
    blocklist,
    bulk_jobs,
    digest_items,
    erasures,
    lead_history,
    leads,
    outbox,
    saved_views,
    webhook_deliveries,
)

CHUNK = 500  # ids in one IN list


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def mentions(column, forms: Collection[str]):
    """The column's text (a JSON document cast to text) holds one of the addresses, in any case."""
    text = func.lower(cast(column, Text))
    return or_(*(text.contains(form, autoescape=True) for form in sorted(forms)))


def _locked(conn: Connection, statement):
    return statement if is_sqlite(conn) else statement.with_for_update()


def _theirs(forms: Collection[str]):
    return func.lower(leads.c.customer_email).in_(sorted(forms))


def _listing(forms: Collection[str]):
    return leads.c.deal_contacts.is_not(None) & mentions(leads.c.deal_contacts, forms)


def candidates(conn: Connection, forms: Collection[str]) -> list[tuple[str, str]]:
    """(partner_id, id) of every lead that is the person's or lists them as a deal contact: the one scan of the
    leads table, read before the erasure's write transaction so SQLite's write lock is not held through it."""
    return [tuple(row) for row in conn.execute(select(leads.c.partner_id, leads.c.id)
                                               .where(or_(_theirs(forms), _listing(forms)))).all()]


def _of(conn: Connection, keys: Sequence[tuple[str, str]], condition) -> list[Any]:
    """The personal columns of these leads that still meet `condition`, locked until the erasure commits."""
    columns = [leads.c[name] for name in PERSONAL_COLUMNS]
    return [row for partner_id, ids in by_partner(keys).items() for part in chunks(ids)
            for row in conn.execute(_locked(conn, select(*columns).where(
                leads.c.partner_id == partner_id, leads.c.id.in_(list(part)), condition))).all()]


def person_leads(conn: Connection, forms: Collection[str], keys: Sequence[tuple[str, str]]) -> list[Any]:
    """Of the candidates, the leads whose customer is at one of the addresses."""
    return _of(conn, keys, _theirs(forms))


def contact_leads(conn: Connection, forms: Collection[str], keys: Sequence[tuple[str, str]]) -> list[Any]:
    """Of the candidates, the leads whose deal lists the person (the caller checks the contact's address)."""
    return _of(conn, keys, _listing(forms))


def due_for_retention(conn: Connection, before: datetime, batch: int) -> list[Any]:
    """Up to `batch` archived leads archived before `before` and not erased yet, oldest first (their partial index),
    locked and skipped by another sweep on PostgreSQL."""
    columns = [leads.c[name] for name in PERSONAL_COLUMNS]
    due = (select(*columns)
           .where(leads.c.archived_at.is_not(None), leads.c.erased_at.is_(None), leads.c.archived_at < before)
           .order_by(leads.c.archived_at).limit(batch))
    if not is_sqlite(conn):
        due = due.with_for_update(skip_locked=True)
    return conn.execute(due).all()


def write_leads(conn: Connection, changes: list[dict[str, Any]]) -> None:
    """Each change: `partner_id`, `id` and the new column values (all changes carry the same columns)."""
    if not changes:
        return
    names = [name for name in changes[0] if name not in ("partner_id", "id")]
    statement = (update(leads)
                 .where(leads.c.partner_id == bindparam("k_partner"), leads.c.id == bindparam("k_id"))
                 .values({name: bindparam(f"v_{name}") for name in names}))
    conn.execute(statement, [{"k_partner": c["partner_id"], "k_id": c["id"], **{f"v_{n}": c[n] for n in names}}
                             for c in changes])


def history_of(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[Any]:
    """The history rows of these leads (partner_id, lead_id): read by their primary key's prefix, a partner at a time
    (SQLite scans the table for a row-value IN list)."""
    columns = (lead_history.c.partner_id, lead_history.c.lead_id, lead_history.c.version, lead_history.c.details)
    return [row for partner_id, lead_ids in by_partner(keys).items() for part in chunks(lead_ids)
            for row in conn.execute(select(*columns).where(lead_history.c.partner_id == partner_id,
                                                           lead_history.c.lead_id.in_(list(part)))).all()]


def by_partner(keys: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for partner_id, lead_id in keys:
        grouped.setdefault(partner_id, []).append(lead_id)
    return grouped


def write_history(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(update(lead_history)
                     .where(lead_history.c.partner_id == bindparam("k_partner"),
                            lead_history.c.lead_id == bindparam("k_lead"),
                            lead_history.c.version == bindparam("k_version"))
                     .values(details=bindparam("v_details")), rows)


def key_lead(conn: Connection):
    """The lead id an outbox key names: keys are `event:lead:...` (services/notifications.py), ids 26 characters."""
    key = outbox.c.idempotency_key
    position = func.instr(key, ":") if is_sqlite(conn) else func.strpos(key, ":")
    return func.substr(key, position + 1, 26)


def digest_keys(items: Iterable[Any]) -> list[str]:
    """The outbox keys of the digests that listed these digest items (services/digests.py)."""
    return sorted({f"digest:{item.recipient}:{item.day.isoformat()}" for item in items if item.digested_at})


def outbox_about(conn: Connection, lead_ids: Sequence[str], forms: Collection[str],
                 digests: Sequence[str] = ()) -> list[Any]:
    """Emails to the person, mentioning their address, about one of their leads (its id in the key), or digests
    that listed one of them (`digests`: their keys)."""
    columns = (outbox.c.id, outbox.c.template, outbox.c.status, outbox.c.recipient, outbox.c.idempotency_key,
               outbox.c.context, outbox.c.last_error, outbox.c.created_at, outbox.c.sent_at)
    found: dict[str, Any] = {}
    person = or_(func.lower(outbox.c.recipient).in_(sorted(forms)), mentions(outbox.c.context, forms),
                 mentions(outbox.c.idempotency_key, forms))
    found.update((row.id, row) for row in conn.execute(select(*columns).where(person)).all())
    for part in chunks(lead_ids):
        rows = conn.execute(select(*columns).where(key_lead(conn).in_(list(part)))).all()
        found.update((row.id, row) for row in rows)
    for part in chunks(digests):
        rows = conn.execute(select(*columns).where(outbox.c.idempotency_key.in_(list(part)))).all()
        found.update((row.id, row) for row in rows)
    return sorted(found.values(), key=lambda row: (row.created_at, row.id))


def write_outbox(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(update(outbox).where(outbox.c.id == bindparam("k_id"))
                     .values(status=bindparam("v_status"), recipient=bindparam("v_recipient"),
                             idempotency_key=bindparam("v_key"), context=bindparam("v_context"),
                             last_error=bindparam("v_error")), rows)


def digests_about(conn: Connection, lead_ids: Sequence[str], forms: Collection[str]) -> list[Any]:
    """Digest items of the person's leads, or mentioning their address."""
    columns = (digest_items.c.recipient, digest_items.c.day, digest_items.c.lead_id, digest_items.c.context,
               digest_items.c.digested_at)
    rows = conn.execute(select(*columns).where(mentions(digest_items.c.context, forms))).all()
    for part in chunks(lead_ids):
        rows += conn.execute(select(*columns).where(digest_items.c.lead_id.in_(list(part)))).all()
    return list({(r.recipient, r.day, r.lead_id): r for r in rows}.values())


def write_digests(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(update(digest_items)
                     .where(digest_items.c.recipient == bindparam("k_recipient"),
                            digest_items.c.day == bindparam("k_day"), digest_items.c.lead_id == bindparam("k_lead"))
                     .values(context=bindparam("v_context")), rows)


def deliveries_about(conn: Connection, lead_ids: Sequence[str], forms: Collection[str]) -> list[Any]:
    """Webhook deliveries about the person's leads, or mentioning their address, oldest first."""
    d = webhook_deliveries.c
    columns = (d.id, d.webhook_id, d.lead_id, d.event, d.status, d.created_at, d.delivered_at, d.body)
    rows = conn.execute(select(*columns).where(mentions(d.body, forms))).all()
    for part in chunks(lead_ids):
        rows += conn.execute(select(*columns).where(d.lead_id.in_(list(part)))).all()
    return sorted({r.id: r for r in rows}.values(), key=lambda r: (r.created_at, r.id))


def write_deliveries(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == bindparam("k_id"))
                     .values(body=bindparam("v_body")), rows)


def queries_mentioning(conn: Connection, forms: Collection[str]) -> tuple[list[Any], list[Any]]:
    """Bulk jobs and saved views whose query or parameters hold the address (a search for it, say)."""
    jobs = conn.execute(select(bulk_jobs.c.partner_id, bulk_jobs.c.id, bulk_jobs.c.params, bulk_jobs.c.query)
                        .where(or_(mentions(bulk_jobs.c.query, forms), mentions(bulk_jobs.c.params, forms)))).all()
    views = conn.execute(select(saved_views.c.partner_id, saved_views.c.id, saved_views.c.name, saved_views.c.query)
                         .where(mentions(saved_views.c.query, forms))).all()
    return jobs, views


def write_jobs(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(update(bulk_jobs)
                     .where(bulk_jobs.c.partner_id == bindparam("k_partner"), bulk_jobs.c.id == bindparam("k_id"))
                     .values(params=bindparam("v_params"), query=bindparam("v_query")), rows)


def write_views(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(update(saved_views)
                     .where(saved_views.c.partner_id == bindparam("k_partner"), saved_views.c.id == bindparam("k_id"))
                     .values(name=bindparam("v_name"), query=bindparam("v_query")), rows)


def unblock(conn: Connection, forms: Collection[str]) -> int:
    """Remove the block-list entries of the address itself (a blocked domain stays)."""
    return conn.execute(delete(blocklist).where(blocklist.c.entry.in_(sorted(forms)))).rowcount


def record(conn: Connection, *, at: datetime, by: str, kind: str, salt: str | None, address_hash: str | None,
           counts: dict[str, int]) -> str:
    erasure_id = new_id(int(at.timestamp() * 1000))
    conn.execute(insert(erasures).values(id=erasure_id, at=at, by=by, kind=kind, salt=salt,
                                         address_hash=address_hash, counts=counts))
    return erasure_id


def erasures_since(conn: Connection, since: datetime | None = None, limit: int = 100) -> list[Any]:
    query = select(erasures).order_by(erasures.c.at.desc()).limit(limit)
    if since is not None:
        query = query.where(erasures.c.at >= since)
    return conn.execute(query).all()


def latest_erasure(conn: Connection) -> str | None:
    """The newest erasure's id (ids are time-ordered): processes compare it to know their caches must forget."""
    return conn.execute(select(func.max(erasures.c.id))).scalar()


def purge_messages(conn: Connection, before: datetime) -> dict[str, int]:
    """Retention: emails sent or failed, delivered or failed webhook calls and digested items older than `before`
    are deleted (pending ones are never touched). Emails walk `ix_outbox_status_created`."""
    emails = conn.execute(delete(outbox).where(outbox.c.status.in_(("sent", "failed")),
                                               outbox.c.created_at < before)).rowcount
    calls = conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.status.in_(("delivered", "failed")),
                                                          webhook_deliveries.c.created_at < before)).rowcount
    held = conn.execute(delete(digest_items).where(digest_items.c.digested_at.is_not(None),
                                                   digest_items.c.digested_at < before)).rowcount
    return {"emails": emails, "webhook_deliveries": calls, "digest_items": held}


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
