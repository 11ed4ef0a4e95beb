"""Erasing a person on request (`referrals privacy erase`, `POST /api/v1/privacy/erasures`): every lead whose
customer is at the address, across partners, loses the person, and so does everything else that carries them —
history, emails, digest items, webhook deliveries, bulk jobs and saved views that searched for them, a block-list
entry of the address — in one transaction, recorded in `erasures` with counts and a salted hash of the address.
Running it twice finds nothing the second time. What is erased and what is kept: docs/privacy.md."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.privacy import (
    ERASED,
    Identifiers,
    address_forms,
    address_hash,
    contact_identifiers,
    erased_lead,
    forget_lead_summaries,
    identifiers_of,
    redact,
    without_contact,
    without_contact_lead,
)
from referrals.services import screening
from referrals.store import privacy as store
from referrals.store.db import reading, writing

WITHDRAWN = "withdrawn: the recipient's personal data was erased"


@dataclass(frozen=True)
class Erasure:
    id: str
    counts: dict[str, int] = field(default_factory=dict)


def erase_person(engine: Engine, principal: Principal | None, email: str, *, now: datetime,
                 by: str = "operator") -> Erasure:
    """Erase the person at `email` (program admins; `principal` None is the operator's CLI, labelled `by`)."""
    if principal is not None:
        principal.require(Role.PROGRAM_ADMIN)
        by = principal.email
    forms = address_forms(email)  # refuses what is not an address before anything is read
    with reading(engine) as conn:
        found = store.candidates(conn, forms)
    with writing(engine) as conn:
        counts = erase_in(conn, forms, now, found)
        salt, digest = address_hash(email)
        erasure_id = store.record(conn, at=now, by=by, kind="request", salt=salt, address_hash=digest, counts=counts)
    screening.forget_people()  # this process at once; the others within screening.CACHE_SECONDS
    return Erasure(erasure_id, counts)


class _Preview(Exception):
    def __init__(self, counts: dict[str, int]):
        self.counts = counts


def preview_erasure(engine: Engine, principal: Principal | None, email: str, *, now: datetime) -> dict[str, int]:
    """What `erase_person` would change, counted by doing it and rolling it back: nothing is kept or recorded."""
    if principal is not None:
        principal.require(Role.PROGRAM_ADMIN)
    forms = address_forms(email)
    try:
        with writing(engine) as conn:
            raise _Preview(erase_in(conn, forms, now, store.candidates(conn, forms)))
    except _Preview as preview:
        return preview.counts


def list_erasures(engine: Engine, principal: Principal | None, *, limit: int = 100) -> list[dict[str, Any]]:
    """The record of erasures, newest first (program admins): never an address."""
    if principal is not None:
        principal.require(Role.PROGRAM_ADMIN)
    with reading(engine) as conn:
        return [erasure_record(row) for row in store.erasures_since(conn, limit=max(1, min(limit, 500)))]


def erase_in(conn: Connection, forms: frozenset[str], now: datetime, found: list[tuple[str, str]]) -> dict[str, int]:
    """Everything of the erasure inside the caller's transaction, on the leads `found` by `store.candidates` (each
    checked again here); answers how many rows of each kind changed. A lead that became the person's between the
    search and this transaction is left for the next run, which finds it."""
    mine = store.person_leads(conn, forms, found)
    keys = {(row.partner_id, row.id) for row in mine}
    listed = [row for row in store.contact_leads(conn, forms, found) if (row.partner_id, row.id) not in keys
              and without_contact(row.deal_contacts, forms)[1]]
    who = _who(forms, mine, listed)
    store.write_leads(conn, [{"partner_id": r.partner_id, "id": r.id, **erased_lead(r, who, now)} for r in mine])
    store.write_leads(conn, [{"partner_id": r.partner_id, "id": r.id, **without_contact_lead(r, who, now)}
                             for r in listed])
    lead_keys = sorted(keys | {(r.partner_id, r.id) for r in listed})
    counts = {"leads": len(mine), "deal_contacts": len(listed), "history": _history(conn, lead_keys, who)}
    counts.update(_messages(conn, sorted(k[1] for k in keys), forms, who))
    counts.update(_queries(conn, forms, who))
    counts["blocklist"] = store.unblock(conn, forms)
    return counts


def _who(forms: frozenset[str], mine: list, listed: list) -> Identifiers:
    who = Identifiers(addresses=forms)
    for row in mine:
        who = who.merged(identifiers_of(email=row.customer_email, first_name=row.customer_first_name,
                                        last_name=row.customer_last_name, phone=row.customer_phone))
    for row in listed:
        who = who.merged(contact_identifiers(row.deal_contacts, forms))
    return who


def _history(conn: Connection, lead_keys: list[tuple[str, str]], who: Identifiers) -> int:
    changed = []
    for row in store.history_of(conn, lead_keys):
        details = redact(row.details, who)
        if details != row.details:
            changed.append({"k_partner": row.partner_id, "k_lead": row.lead_id, "k_version": row.version,
                            "v_details": details})
    store.write_history(conn, changed)
    return len(changed)


def _messages(conn: Connection, lead_ids: list[str], forms: frozenset[str], who: Identifiers) -> dict[str, int]:
    """Emails to the person are withdrawn when still pending and lose the address either way; emails, digest items
    and webhook deliveries about them keep going, without the person."""
    addresses, ids = Identifiers(addresses=who.addresses), frozenset(lead_ids)
    emails, withdrawn = [], 0
    held = store.digests_about(conn, lead_ids, forms)
    for row in store.outbox_about(conn, lead_ids, forms, store.digest_keys(held)):
        to_person = row.recipient.strip().lower() in forms
        status, error = row.status, redact(row.last_error, who)
        if to_person and row.status == "pending":
            status, error, withdrawn = "failed", WITHDRAWN, withdrawn + 1
        emails.append({"k_id": row.id, "v_status": status, "v_error": error,
                       "v_recipient": ERASED if to_person else row.recipient,
                       "v_key": redact(row.idempotency_key, addresses),
                       "v_context": {} if to_person else _scrubbed(row.context, ids, who)})
    store.write_outbox(conn, emails)
    digests = [{"k_recipient": r.recipient, "k_day": r.day, "k_lead": r.lead_id,
                "v_context": _scrubbed(r.context, ids, who)}
               for r in held]
    store.write_digests(conn, digests)
    calls = [{"k_id": r.id, "v_body": _redacted_body(r.body, ids, who)}
             for r in store.deliveries_about(conn, lead_ids, forms)]
    store.write_deliveries(conn, calls)
    return {"emails": len(emails), "emails_withdrawn": withdrawn, "digest_items": len(digests),
            "webhook_deliveries": len(calls)}


def _scrubbed(document: Any, lead_ids: frozenset[str], who: Identifiers) -> Any:
    return redact(forget_lead_summaries(document, lead_ids), who)


def _redacted_body(body: str, lead_ids: frozenset[str], who: Identifiers) -> str:
    try:
        return store.dumps(_scrubbed(json.loads(body), lead_ids, who))
    except ValueError:
        return redact(body, who)


def _queries(conn: Connection, forms: frozenset[str], who: Identifiers) -> dict[str, int]:
    jobs, views = store.queries_mentioning(conn, forms)
    store.write_jobs(conn, [{"k_partner": r.partner_id, "k_id": r.id, "v_params": redact(r.params, who),
                             "v_query": redact(r.query, who)} for r in jobs])
    store.write_views(conn, [{"k_partner": r.partner_id, "k_id": r.id, "v_name": redact(r.name, who),
                              "v_query": redact(r.query, who)} for r in views])
    return {"bulk_jobs": len(jobs), "saved_views": len(views)}


def erasure_record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "at": row.at.isoformat(), "by": row.by, "kind": row.kind, "counts": row.counts}
