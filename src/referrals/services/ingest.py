"""Ingesting leads: one at a time (API, marketplace, directory) or in bulk (batch API, demo, benchmarks).

Idempotent on the source's external id: the same external id for the same partner answers the lead
that already exists and creates nothing, even when two deliveries race.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from referrals import metrics
from referrals.domain import lead as lead_rules
from referrals.domain.errors import DomainError, InvalidInput
from referrals.domain.history import Actor
from referrals.domain.lead import Customer, Lead, Origin
from referrals.services import notifications, webhook_events
from referrals.services.assignment import Assigner
from referrals.services.screening import screen
from referrals.store import partners
from referrals.store.db import reading, writing
from referrals.store.ids import new_id
from referrals.store.leads import find_by_external_id, find_by_external_ids, insert_lead, insert_leads


@dataclass(frozen=True)
class LeadDraft:
    partner_id: str
    origin: Origin
    customer: Customer
    message: str = ""
    customer_requested_contact: bool = False
    location_id: str | None = None
    external_id: str | None = None
    is_test: bool = False
    raw_payload: dict | None = field(default=None, compare=False)
    received_at: datetime | None = None  # when importing history; otherwise the lead arrives `now`


@dataclass(frozen=True)
class Ingested:
    lead: Lead | None
    created: bool
    error: DomainError | None = None


def _location_for(conn: Connection, draft: LeadDraft) -> str:
    location_id = partners.first_location(conn, draft.partner_id, draft.location_id)
    if location_id is None:
        if draft.location_id:
            raise InvalidInput(
                "The location does not belong to this partner.", fields={"location_id": "is unknown"}
            )
        raise InvalidInput("No such partner.", fields={"partner_id": "is unknown"})
    return location_id


def _build(conn: Connection, draft: LeadDraft, now: datetime, by: Actor | None, places=None):
    if places is None:
        location_id = _location_for(conn, draft)
    else:  # the bulk path looks each partner location up once
        place = (draft.partner_id, draft.location_id)
        if place not in places:
            places[place] = _location_for(conn, draft)
        location_id = places[place]
    screening = screen(
        conn, origin=draft.origin, customer=draft.customer, message=draft.message, partner_id=draft.partner_id
    )
    return lead_rules.receive(
        id=new_id(int((draft.received_at or now).timestamp() * 1000)),
        partner_id=draft.partner_id,
        location_id=location_id,
        origin=draft.origin, customer=draft.customer, message=draft.message,
        customer_requested_contact=draft.customer_requested_contact, now=draft.received_at or now,
        screening=screening,
        is_test=draft.is_test, external_id=draft.external_id, by=by,
    )


def ingest_lead(engine: Engine, draft: LeadDraft, *, now: datetime, by: Actor | None = None) -> Ingested:
    result = _ingest_one(engine, draft, now, by)
    if result.created:
        metrics.leads_created()  # once committed
    return result


def _ingest_one(engine: Engine, draft: LeadDraft, now: datetime, by: Actor | None) -> Ingested:
    try:
        with writing(engine) as conn:
            if draft.external_id:
                existing = find_by_external_id(conn, draft.partner_id, draft.external_id)
                if existing is not None:
                    return Ingested(existing, created=False)
            lead, entry = _build(conn, draft, now, by)
            assigner = Assigner(conn, now)
            if draft.received_at is None:  # history being imported is not handed out
                entry = assigner.assign_new(lead, entry)
            insert_lead(conn, lead, entry, draft.raw_payload)
            assigner.finish()
            if draft.received_at is None:
                notifications.on_lead_received(conn, lead, now)
            return Ingested(lead, created=True)
    except IntegrityError:
        # A concurrent delivery of the same external id won the race: answer its lead.
        if not draft.external_id:
            raise
        with writing(engine) as conn:
            existing = find_by_external_id(conn, draft.partner_id, draft.external_id)
        if existing is None:
            raise
        return Ingested(existing, created=False)


def ingest_many(
    engine: Engine, drafts: list[LeadDraft], *, now: datetime, by: Actor | None = None, dry_run: bool = False
) -> list[Ingested]:
    """Each draft is accepted or refused on its own; all accepted ones are written in one transaction.
    `dry_run` judges every draft the same way (existing, refused, or what would be created) and writes nothing.

    A concurrent batch that delivered one of the same external ids first makes this transaction fail on
    the unique key; it is then run once more, and finds those leads already there."""
    if dry_run:
        with reading(engine) as conn:
            return _judge_batch(conn, drafts, now, by)[0]
    try:
        return _ingest_batch(engine, drafts, now, by)
    except IntegrityError:
        return _ingest_batch(engine, drafts, now, by)


def _ingest_batch(engine: Engine, drafts: list[LeadDraft], now: datetime, by: Actor | None) -> list[Ingested]:
    with writing(engine) as conn:
        assigner = Assigner(conn, now)
        results, batch, fresh = _judge_batch(conn, drafts, now, by, assigner)
        insert_leads(conn, batch)
        assigner.finish()
        people: dict = webhook_events.deferring()  # the batch's webhook deliveries in one statement, below
        for (lead, _, _), draft in zip(batch, fresh, strict=True):
            if draft.received_at is None:  # history being imported tells nobody
                notifications.on_lead_received(conn, lead, now, people)
        webhook_events.flush(conn, people)
    metrics.leads_created(len(batch))  # once committed
    return results


def _judge_batch(conn: Connection, drafts: list[LeadDraft], now: datetime, by: Actor | None,
                 assigner: Assigner | None = None) -> tuple[list[Ingested], list, list[LeadDraft]]:
    """Each draft existing, refused or made (and handed out by `assigner`, when writing), in order."""
    results: list[Ingested] = []
    known = _existing_by_external_id(conn, drafts)
    batch, fresh, places = [], [], {}
    for draft in drafts:
        key = (draft.partner_id, draft.external_id)
        if draft.external_id and key in known:
            results.append(Ingested(known[key], created=False))
            continue
        try:
            lead, entry = _build(conn, draft, now, by, places)
        except DomainError as error:
            results.append(Ingested(None, created=False, error=error))
            continue
        if draft.external_id:
            known[key] = lead
        if draft.received_at is None and assigner is not None:
            entry = assigner.assign_new(lead, entry)
        batch.append((lead, entry, draft.raw_payload))
        fresh.append(draft)
        results.append(Ingested(lead, created=True))
    return results, batch, fresh


def _existing_by_external_id(conn: Connection, drafts: list[LeadDraft]) -> dict[tuple[str, str], Lead]:
    """The leads already delivered under the batch's external ids, asked partner by partner: `partner_id = ? AND
    external_id IN (...)` walks the unique key, where SQLite answers a row-value IN with a scan of every lead."""
    wanted: dict[str, set[str]] = {}
    for draft in drafts:
        if draft.external_id:
            wanted.setdefault(draft.partner_id, set()).add(draft.external_id)
    found: dict[tuple[str, str], Lead] = {}
    for partner_id, external_ids in sorted(wanted.items()):
        for lead in find_by_external_ids(conn, partner_id, sorted(external_ids)):
            found[(lead.partner_id, lead.external_id)] = lead
    return found
