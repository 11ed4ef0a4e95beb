"""The marketplace's HTTPS endpoint: an unguessable inbound key names the partner location, and the
payload becomes a lead there.

Re-sending the same payload within 24 hours answers the lead it already made: the external id is the
payload's fingerprint plus the day it arrived, and the previous day's lead counts if it is younger than
24 hours. After that, the same payload is a new expression of interest and makes a new lead.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from referrals.adapters import marketplace
from referrals.domain.errors import NotFound
from referrals.domain.history import Actor
from referrals.services.auth import hash_token
from referrals.services.ingest import Ingested, LeadDraft, ingest_lead
from referrals.store import inbound
from referrals.store.db import reading
from referrals.store.leads import find_by_external_id

RESEND_WINDOW = timedelta(hours=24)


def resolve_inbound_key(conn: Connection, key: str) -> tuple[str, str] | None:
    """(partner id, location id) of a live key, or None for unknown and revoked keys."""
    return inbound.live_key(conn, hash_token(key))


def _external_id(digest: str, moment: datetime, days_back: int = 0) -> str:
    day = int(moment.timestamp() // RESEND_WINDOW.total_seconds()) - days_back
    return f"mkt:{digest}:{day}"


def receive_marketplace(engine: Engine, key: str, payload: dict[str, Any], *, now: datetime) -> Ingested:
    with reading(engine) as conn:
        place = resolve_inbound_key(conn, key)
        if place is None:
            raise NotFound("No such inbound endpoint: the key is unknown or was revoked.")
        partner_id, location_id = place
        lead = marketplace.parse(payload)
        digest = marketplace.fingerprint(payload)
        earlier = find_by_external_id(conn, partner_id, _external_id(digest, now, days_back=1))
    if earlier is not None and now - earlier.created_at < RESEND_WINDOW:
        return Ingested(earlier, created=False)
    draft = LeadDraft(
        partner_id=partner_id, origin=lead.origin, customer=lead.customer, message=lead.message,
        customer_requested_contact=lead.customer_requested_contact, location_id=location_id,
        external_id=_external_id(digest, now), is_test=lead.is_test, raw_payload=payload,
    )
    return ingest_lead(engine, draft, now=now, by=Actor.system("marketplace"))
