"""A lead as a plain JSON document, for readers that are not a person: the webhooks' `data`. LeadPublic's shape
(web/api/schemas.py) without the per-viewer fields (`favorite`, `allowed_actions`); an expired lead's contact
details are withheld as everywhere (`visible_customer`). `tests/e2e/test_webhook_document.py` holds the two equal."""

from dataclasses import asdict
from datetime import date, datetime
from enum import Enum
from typing import Any

from referrals.domain.deal import Deal
from referrals.domain.lead import Lead, visible_customer


def stamp(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC as the API writes it (`Z`, microseconds only when there are any)."""
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _value(item: Enum | None) -> Any:
    return None if item is None else item.value


def _deal(deal: Deal | None) -> dict[str, Any] | None:
    if deal is None:
        return None
    t = deal.terms
    purchase: date = t.purchase_date
    return {
        "deal_name": t.name, "estimated_value": {"amount": f"{t.value.amount:.2f}", "currency": t.value.currency},
        "team_member_ids": list(t.team_member_ids), "estimated_purchase_date": purchase.isoformat(),
        "notes": t.notes, "campaign_id": t.campaign_id, "crm_id": t.crm_id,
        "customer_contacts": [asdict(c) for c in t.customer_contacts],
        "employees": [asdict(e) for e in deal.employees],
    }


def lead_document(lead: Lead, *, now: datetime, owner: tuple[str, str, str] | None) -> dict[str, Any]:
    """`owner` is (id, email, name) of the lead's owner, or None."""
    o, s = lead.origin, lead.screening
    return {
        "id": lead.id, "partner_id": lead.partner_id, "location_id": lead.location_id, "type": _value(o.type),
        "qualification": o.qualification.value, "source": o.source.value,
        "call_to_action": _value(o.call_to_action), "offer": {"id": o.offer_id, "title": o.offer_title},
        "referrer": {"kind": o.referrer_kind.value, "id": o.referrer_id, "email": o.referrer_email},
        "customer": asdict(visible_customer(lead)), "message": lead.message,
        "customer_requested_contact": lead.customer_requested_contact, "status": lead.status.value,
        "outcome": _value(lead.outcome), "informational": lead.informational, "urgency": _value(lead.urgency(now)),
        "created_at": stamp(lead.created_at), "response_due_at": stamp(lead.response_due_at),
        "archive_due_at": stamp(lead.archive_due_at), "accepted_at": stamp(lead.accepted_at),
        "archived_at": stamp(lead.archived_at), "email_validity": s.email_validity.value,
        "phone_validity": s.phone_validity.value, "spam_reasons": list(s.spam_reasons),
        "quality": {"label": s.quality.label.value, "probability": s.quality.probability,
                    "factors": [f.text for f in s.quality.factors],
                    "signed_factors": [{"text": f.text, "effect": _value(f.effect) if isinstance(f.effect, Enum)
                                        else f.effect} for f in s.quality.factors]},
        "deal": _deal(lead.deal),
        "closing": ({"reason": _value(lead.closing.reason), "notes": lead.closing.notes} if lead.closing else None),
        "is_test": lead.is_test,
        "owner": None if owner is None else {"id": owner[0], "email": owner[1], "name": owner[2]},
        "etag": lead.etag,
    }
