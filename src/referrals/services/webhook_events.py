"""A lead's events as webhook deliveries, queued in the transaction of the change (services/notifications.py calls
these wherever it queues emails, so whatever keeps a change quiet keeps its webhooks quiet too).

Cheap when nobody listens: the active webhooks of a partner (and the program's) are looked up once per transaction or
batch through `cache` (one probe of a partial index over active webhooks), and a lead is only serialised when one of
them wants its event. The body is written once, at the event: `data` is the lead as it is then (a snapshot), and
every retry sends the same bytes."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from referrals.config import get_settings
from referrals.domain.lead import Lead
from referrals.domain.lead_document import lead_document, stamp
from referrals.domain.webhooks import compat_event, reaches, wants
from referrals.store import people
from referrals.store import webhooks as store
from referrals.store.bulk import load_leads
from referrals.store.ids import new_id


def _hooks(conn: Connection, partner_id: str, cache: dict) -> list:
    key = ("webhooks", partner_id)
    if key not in cache:
        cache[key] = store.active_for(conn, [partner_id])
    return cache[key]


def listens(hook: Any, partner_id: str, event: str) -> bool:
    """Whether an active webhook receives this event of this partner's lead."""
    if hook.partner_id is not None and hook.partner_id != partner_id:
        return False
    if hook.kind == "compat":
        return compat_event(event) in hook.events
    return reaches(hook.partner_ids, partner_id) and wants(hook.events, event)


def body_of(kind: str, event: str, now: datetime, lead_id: str, data: dict[str, Any] | None) -> str:
    """The request body: ours (`type`, `timestamp`, `data`), or the vendor's change notice for a compat registration."""
    if kind == "compat":
        document: dict[str, Any] = {
            "EventName": compat_event(event),
            "ResourceUri": f"{get_settings().base_url.rstrip('/')}/v1.0/engagements/referrals/{lead_id}",
            "ResourceName": "referral", "AuditUri": None, "ResourceChangeUtcDate": stamp(now)}
    else:
        document = {"type": event, "timestamp": stamp(now), "data": data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def delivery(webhook_id: str, event: str, body: str, now: datetime, *, partner_id: str | None = None,
             lead_id: str | None = None) -> dict[str, Any]:
    # the id orders deliveries of one moment as they were queued (real milliseconds, even under a test clock)
    return {"id": new_id(), "webhook_id": webhook_id, "partner_id": partner_id,
            "lead_id": lead_id, "event": event, "body": body, "status": "pending", "attempts": 0,
            "created_at": now, "next_attempt_at": now}


_DEFERRED = ("webhooks", "deferred")


def deferring() -> dict:
    """A batch's cache whose deliveries wait for `flush` (one statement for the batch, not one per lead)."""
    return {_DEFERRED: []}


def flush(conn: Connection, cache: dict) -> None:
    store.enqueue(conn, cache.pop(_DEFERRED, []))


def on_lead_event(conn: Connection, lead: Lead, event: str, now: datetime, cache: dict | None = None) -> None:
    """Queue `event` of `lead` (as it is now) for every active webhook that wants it."""
    targets = [h for h in _hooks(conn, lead.partner_id, {} if cache is None else cache)
               if listens(h, lead.partner_id, event)]
    if not targets:
        return
    rows = _deliveries(conn, [(lead, targets)], event, now)
    if cache is not None and _DEFERRED in cache:
        cache[_DEFERRED].extend(rows)
    else:
        store.enqueue(conn, rows)


def _deliveries(conn: Connection, heard: list[tuple[Lead, list]], event: str, now: datetime) -> list[dict[str, Any]]:
    """The delivery rows of these leads, each serialised once for all its webhooks; the owners in one query."""
    owners = people.owners(conn, [lead.owner_id for lead, _ in heard])
    rows = []
    for lead, targets in heard:
        owner = owners.get(lead.owner_id or "")
        data = lead_document(lead, now=now, owner=tuple(owner) if owner else None)  # type: ignore[arg-type]
        rows.extend(delivery(h.id, event, body_of(h.kind, event, now, lead.id, data), now,
                             partner_id=lead.partner_id, lead_id=lead.id) for h in targets)
    return rows


def on_expired_rows(conn: Connection, rows: Sequence[Any], now: datetime) -> None:
    """The sweep's batch (plain rows with `id` and `partner_id`): one lookup of the webhooks of all its partners;
    only the leads someone listens to are loaded (a query per partner), to send them as they are after the
    expiry, and queued in one statement."""
    if not rows:
        return
    hooks = store.active_for(conn, [row.partner_id for row in rows])
    if not hooks:
        return
    wanted: dict[str, tuple[list, list[str]]] = {}
    for row in rows:
        if row.partner_id not in wanted:
            wanted[row.partner_id] = ([h for h in hooks if listens(h, row.partner_id, "lead.expired")], [])
        if wanted[row.partner_id][0]:
            wanted[row.partner_id][1].append(row.id)
    heard = []
    for partner_id, (targets, lead_ids) in sorted(wanted.items()):
        if lead_ids:
            heard.extend((lead, targets) for lead in load_leads(conn, partner_id, lead_ids).values())
    store.enqueue(conn, _deliveries(conn, heard, "lead.expired", now))
