"""`referrals privacy export --email ADDRESS`: everything held about one person, across partners, as one JSON
document — each lead with every field and its history, the emails sent to them or about their leads, digest items
and webhook deliveries. An operator's and program admin's tool (docs/privacy.md)."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.privacy import address_forms
from referrals.store import person_export as store
from referrals.store import privacy
from referrals.store.db import reading


def export_person(engine: Engine, principal: Principal | None, email: str, *, now: datetime) -> dict[str, Any]:
    """The person's data as a JSON-ready document (`principal` None: the operator's CLI)."""
    if principal is not None:
        principal.require(Role.PROGRAM_ADMIN)
    forms = address_forms(email)
    with reading(engine) as conn:
        leads = store.lead_rows(conn, forms)
        keys = [(row.partner_id, row.id) for row in leads]
        ids = [row.id for row in leads]
        history = store.history_rows(conn, keys)
        digests = privacy.digests_about(conn, ids, forms)
        emails = privacy.outbox_about(conn, ids, forms, privacy.digest_keys(digests))
        deliveries = privacy.deliveries_about(conn, ids, forms)
    by_lead: dict[str, list] = {}
    for row in history:
        by_lead.setdefault(row.lead_id, []).append(_plain(row))
    return {
        "email": email.strip(), "exported_at": now.isoformat(),
        "leads": [{**_plain(row), "history": by_lead.get(row.id, [])} for row in leads],
        "emails": [_plain(row) for row in emails],
        "digest_items": [_plain(row) for row in digests],
        "webhook_deliveries": [{**_plain(row), "body": _json(row.body)} for row in deliveries],
    }


def _plain(row: Any) -> dict[str, Any]:
    return {name: _value(value) for name, value in row._mapping.items()}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body
