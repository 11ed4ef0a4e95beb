"""Domain objects → API shapes. Every lead goes out through `lead_public`, which reads the customer
through `visible_customer`, so an expired lead never shows contact details."""

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from referrals.domain.access import Principal
from referrals.domain.deal import Deal, Money
from referrals.domain.lead import Lead, visible_customer
from referrals.domain.quality_words import Factor, read_factor
from referrals.services.reading import ListedLead, Owner
from referrals.web.api.schemas import (
    ClosingPublic,
    CustomerPublic,
    DealPublic,
    HistoryEntryPublic,
    LeadDetailPublic,
    LeadPublic,
    MoneyPublic,
    OfferPublic,
    OwnerPublic,
    QualityPublic,
    ReferrerPublic,
)


def money_public(money: Money) -> MoneyPublic:
    return MoneyPublic(amount=f"{money.amount:.2f}", currency=money.currency)


def deal_public(deal: Deal | None) -> DealPublic | None:
    if deal is None:
        return None
    t = deal.terms
    return DealPublic(
        deal_name=t.name, estimated_value=money_public(t.value), team_member_ids=list(t.team_member_ids),
        estimated_purchase_date=t.purchase_date, notes=t.notes, campaign_id=t.campaign_id, crm_id=t.crm_id,
        customer_contacts=[asdict(c) for c in t.customer_contacts], employees=[asdict(e) for e in deal.employees],
    )


def quality_factors(factors: Iterable[Factor]) -> dict[str, list]:
    """`factors` as plain English words (as before) and `signed_factors` with their effect."""
    signed = [{"text": f.text, "effect": f.effect} for f in factors]
    return {"factors": [f["text"] for f in signed], "signed_factors": signed}


def owner_public(owner: Owner | None) -> OwnerPublic | None:
    return None if owner is None else OwnerPublic(id=owner.id, email=owner.email, name=owner.name)


def _fields(lead: Lead, favorite: bool, now: datetime, viewer: Principal, owner: Owner | None) -> dict:
    o, s = lead.origin, lead.screening
    return dict(
        id=lead.id, partner_id=lead.partner_id, location_id=lead.location_id, type=o.type,
        qualification=o.qualification, source=o.source, call_to_action=o.call_to_action,
        offer=OfferPublic(id=o.offer_id, title=o.offer_title),
        referrer=ReferrerPublic(kind=o.referrer_kind, id=o.referrer_id, email=o.referrer_email),
        customer=CustomerPublic(**asdict(visible_customer(lead))), message=lead.message,
        customer_requested_contact=lead.customer_requested_contact, status=lead.status, outcome=lead.outcome,
        informational=lead.informational, urgency=lead.urgency(now), created_at=lead.created_at,
        response_due_at=lead.response_due_at, archive_due_at=lead.archive_due_at, accepted_at=lead.accepted_at,
        archived_at=lead.archived_at, email_validity=s.email_validity, phone_validity=s.phone_validity,
        spam_reasons=list(s.spam_reasons),
        quality=QualityPublic(label=s.quality.label, probability=s.quality.probability,
                              **quality_factors(s.quality.factors)),
        favorite=favorite, allowed_actions=list(lead.allowed_actions(now, viewer)), deal=deal_public(lead.deal),
        closing=ClosingPublic(reason=lead.closing.reason, notes=lead.closing.notes) if lead.closing else None,
        is_test=lead.is_test, owner=owner_public(owner), etag=lead.etag,
    )


def lead_public(lead: Lead, *, favorite: bool, now: datetime, viewer: Principal,
                owner: Owner | None = None) -> LeadPublic:
    return LeadPublic(**_fields(lead, favorite, now, viewer, owner))


def listed_public(item: ListedLead, *, now: datetime, viewer: Principal) -> dict[str, Any]:
    """A list row in LeadPublic's shape, straight from its columns (no Lead): the dict is validated once with the
    page (`LeadsPublic`). `tests/e2e/test_api_listed.py` holds it equal to `lead_public` of the same lead."""
    m, state = item.columns._mapping, item.state
    closed = m["closing_reason"] is not None or m["closing_notes"] is not None
    return {
        "id": m["id"], "partner_id": m["partner_id"], "location_id": m["location_id"], "type": m["type"],
        "qualification": m["qualification"], "source": m["source"], "call_to_action": m["call_to_action"],
        "offer": {"id": m["offer_id"], "title": m["offer_title"]},
        "referrer": {"kind": m["referrer_kind"], "id": m["referrer_id"], "email": m["referrer_email"]},
        "customer": item.customer_fields(), "message": m["message"],
        "customer_requested_contact": bool(m["customer_requested_contact"]), "status": m["status"],
        "outcome": m["outcome"], "informational": bool(m["informational"]), "urgency": state.urgency(now),
        "created_at": m["created_at"], "response_due_at": m["response_due_at"],
        "archive_due_at": m["archive_due_at"], "accepted_at": m["accepted_at"], "archived_at": m["archived_at"],
        "email_validity": m["email_validity"], "phone_validity": m["phone_validity"],
        "spam_reasons": list(m["spam_reasons"] or ()),
        "quality": {"label": m["quality_label"], "probability": float(m["quality_probability"]),
                    **quality_factors(read_factor(f) for f in m["quality_factors"] or ())},
        "favorite": item.favorite, "allowed_actions": list(state.allowed_actions(now, viewer)),
        "deal": _listed_deal(m),
        "closing": {"reason": m["closing_reason"], "notes": m["closing_notes"] or ""} if closed else None,
        "is_test": bool(m["is_test"]),
        "owner": None if item.owner is None else item.owner._asdict(), "etag": f'"{m["id"]}.{m["version"]}"',
    }


def _listed_deal(m: Any) -> dict[str, Any] | None:
    if m["deal_name"] is None:
        return None
    return {
        "deal_name": m["deal_name"],
        "estimated_value": {"amount": f"{Decimal(m['deal_amount']):.2f}", "currency": m["deal_currency"]},
        "team_member_ids": list(m["deal_team"] or ()), "estimated_purchase_date": m["deal_purchase_date"],
        "notes": m["deal_notes"] or "", "campaign_id": m["deal_campaign_id"] or "", "crm_id": m["deal_crm_id"] or "",
        "customer_contacts": list(m["deal_contacts"] or ()), "employees": list(m["deal_employees"] or ()),
    }


def lead_detail_public(lead: Lead, *, favorite: bool, history: list[dict], now: datetime,
                       viewer: Principal, owner: Owner | None = None) -> LeadDetailPublic:
    entries = [HistoryEntryPublic(**{k: v for k, v in row.items() if k in HistoryEntryPublic.model_fields})
               for row in history]
    return LeadDetailPublic(**_fields(lead, favorite, now, viewer, owner), history=entries)
