"""Mapping between the `leads` row and the domain's Lead. The one place that knows both shapes."""

from datetime import date
from decimal import Decimal
from typing import Any

from referrals.domain import lead_search
from referrals.domain.deal import CustomerContact, Deal, DealTerms, Employee, Money
from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    Qualification,
    QualityLabel,
    Reason,
    ReferrerKind,
    Source,
    Status,
)
from referrals.domain.history import HistoryEntry
from referrals.domain.lead import Closing, Customer, Lead, Origin, Quality, Screening, visible_customer
from referrals.domain.quality_words import read_factor, stored_factor
from referrals.domain.text import fold

# Enum(value) is a slow call, and row_to_lead makes about ten per row for every listed or swept lead:
# look the members up in plain dicts instead.
_MEMBERS = {
    enum: {member.value: member for member in enum}
    for enum in (CallToAction, EmailValidity, LeadType, Outcome, PhoneValidity, Qualification, QualityLabel,
                 Reason, ReferrerKind, Source, Status)
}


def _member(enum, value):
    try:
        return _MEMBERS[enum][value]
    except KeyError:
        return enum(value)  # the enum's own error for a value it does not know


def _opt(enum, value):
    return None if value is None else _member(enum, value)


KEY_SEPARATOR = " | "


def customer_key(customer: Customer) -> str:
    """Folded "company | first last": what the customer filter searches and the customer sort orders by.
    Withheld names (an expired lead) leave just "company | ", so nobody finds an expired lead by a name."""
    names = " ".join(p for p in (customer.first_name, customer.last_name) if p)
    return fold(f"{customer.company or ''}{KEY_SEPARATOR}{names}")[:1000]


def search_text(lead: Lead) -> str:
    """What the list's search reads (domain/lead_search.py): rewritten by every change of what it holds (a deal's
    name, contacts withheld once the lead expires)."""
    shown = visible_customer(lead)
    names = " ".join(p for p in (shown.first_name, shown.last_name) if p)
    return lead_search.search_text(
        company=shown.company, deal_name=lead.deal.terms.name if lead.deal else None, external_id=lead.external_id,
        names=names, email=shown.email, phone=shown.phone,
    )


def lead_to_row(lead: Lead) -> dict[str, Any]:
    o, c, s = lead.origin, lead.customer, lead.screening
    row: dict[str, Any] = {
        "partner_id": lead.partner_id,
        "id": lead.id,
        "location_id": lead.location_id,
        "qualification": o.qualification.value,
        "type": o.type and o.type.value,
        "source": o.source.value,
        "call_to_action": o.call_to_action and o.call_to_action.value,
        "informational": lead.informational,
        "offer_id": o.offer_id,
        "offer_title": o.offer_title,
        "referrer_kind": o.referrer_kind.value,
        "referrer_id": o.referrer_id,
        "referrer_email": o.referrer_email,
        "external_id": lead.external_id,
        "is_test": lead.is_test,
        "customer_company": c.company or "",
        "customer_first_name": c.first_name or "",
        "customer_last_name": c.last_name or "",
        "customer_title": c.title or "",
        "customer_email": c.email or "",
        "customer_phone": c.phone or "",
        "customer_country": c.country,
        "customer_company_size": c.company_size,
        "customer_industry": c.industry,
        "customer_key": customer_key(visible_customer(lead)),
        "message": lead.message,
        "customer_requested_contact": lead.customer_requested_contact,
        "email_validity": s.email_validity.value,
        "phone_validity": s.phone_validity.value,
        "spam_reasons": list(s.spam_reasons),
        "spam": bool(s.spam_reasons),
        "quality_label": s.quality.label.value,
        "quality_probability": Decimal(str(round(s.quality.probability, 5))),
        "quality_factors": [stored_factor(f) for f in s.quality.factors],
        "created_at": lead.created_at,
        "response_due_at": lead.response_due_at,
        "archive_due_at": lead.archive_due_at,
        "deadline_at": lead.response_due_at or lead.archive_due_at,
        "version": lead.version,
    }
    row.update(lifecycle_columns(lead))
    return row


def lifecycle_columns(lead: Lead) -> dict[str, Any]:
    """The columns a transition may change."""
    deal, closing = lead.deal, lead.closing
    terms = deal.terms if deal else None
    return {
        "customer_key": customer_key(visible_customer(lead)),
        "search_text": search_text(lead),
        "status": lead.status.value,
        "outcome": lead.outcome and lead.outcome.value,
        "accepted_at": lead.accepted_at,
        "archived_at": lead.archived_at,
        "closing_reason": closing and closing.reason and closing.reason.value,
        "closing_notes": closing and closing.notes,
        "deal_name": terms and terms.name,
        "deal_amount": terms and terms.value.amount,
        "deal_currency": terms and terms.value.currency,
        "deal_purchase_date": terms and terms.purchase_date,
        "deal_notes": terms and terms.notes,
        "deal_campaign_id": terms and terms.campaign_id,
        "deal_crm_id": terms and terms.crm_id,
        "deal_team": list(terms.team_member_ids) if terms else None,
        "deal_contacts": [vars(c) for c in terms.customer_contacts] if terms else None,
        "deal_employees": [vars(e) for e in deal.employees] if deal else None,
        "owner_id": lead.owner_id,
        "version": lead.version,
        "updated_at": lead.updated_at or lead.created_at,
    }


def row_to_lead(row: Any) -> Lead:
    m = row._mapping
    origin = Origin(
        qualification=_member(Qualification, m["qualification"]),
        source=_member(Source, m["source"]),
        type=_opt(LeadType, m["type"]),
        call_to_action=_opt(CallToAction, m["call_to_action"]),
        offer_id=m["offer_id"],
        offer_title=m["offer_title"],
        referrer_kind=_member(ReferrerKind, m["referrer_kind"]),
        referrer_id=m["referrer_id"],
        referrer_email=m["referrer_email"],
    )
    customer = Customer(
        company=m["customer_company"],
        first_name=m["customer_first_name"],
        last_name=m["customer_last_name"],
        title=m["customer_title"],
        email=m["customer_email"],
        phone=m["customer_phone"],
        country=m["customer_country"],
        company_size=m["customer_company_size"],
        industry=m["customer_industry"],
    )
    screening = Screening(
        _member(EmailValidity, m["email_validity"]),
        _member(PhoneValidity, m["phone_validity"]),
        tuple(m["spam_reasons"] or ()),
        Quality(
            _member(QualityLabel, m["quality_label"]), float(m["quality_probability"]),
            tuple(read_factor(f) for f in m["quality_factors"] or ()),
        ),
    )
    closing = None
    if m["closing_reason"] is not None or m["closing_notes"] is not None:
        closing = Closing(_opt(Reason, m["closing_reason"]), m["closing_notes"] or "")
    return Lead(
        id=m["id"],
        partner_id=m["partner_id"],
        location_id=m["location_id"],
        origin=origin,
        customer=customer,
        message=m["message"],
        customer_requested_contact=bool(m["customer_requested_contact"]),
        created_at=m["created_at"],
        status=_member(Status, m["status"]),
        outcome=_opt(Outcome, m["outcome"]),
        response_due_at=m["response_due_at"],
        archive_due_at=m["archive_due_at"],
        accepted_at=m["accepted_at"],
        archived_at=m["archived_at"],
        deal=_deal(m),
        closing=closing,
        screening=screening,
        is_test=bool(m["is_test"]),
        external_id=m["external_id"],
        owner_id=m["owner_id"],
        version=m["version"],
        updated_at=m["updated_at"],
    )


def _deal(m) -> Deal | None:
    if m["deal_name"] is None:
        return None
    purchase = m["deal_purchase_date"]
    terms = DealTerms(
        name=m["deal_name"],
        value=Money(Decimal(m["deal_amount"]).quantize(Decimal("0.01")), m["deal_currency"]),
        team_member_ids=tuple(m["deal_team"] or ()),
        purchase_date=purchase if isinstance(purchase, date) else date.fromisoformat(purchase),
        notes=m["deal_notes"] or "",
        campaign_id=m["deal_campaign_id"] or "",
        crm_id=m["deal_crm_id"] or "",
        customer_contacts=tuple(CustomerContact(**c) for c in m["deal_contacts"] or ()),
    )
    return Deal(terms, tuple(Employee(**e) for e in m["deal_employees"] or ()))


def history_to_row(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "partner_id": entry.partner_id,
        "lead_id": entry.lead_id,
        "version": entry.version,
        "at": entry.at,
        "actor_id": entry.actor.user_id,
        "actor_label": entry.actor.label,
        "action": entry.action.value,
        "from_status": entry.from_status and entry.from_status.value,
        "to_status": entry.to_status.value,
        "outcome": entry.outcome and entry.outcome.value,
        "details": dict(entry.details),
    }
