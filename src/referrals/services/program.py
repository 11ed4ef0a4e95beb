"""Program staff: send a qualified lead to a partner, and follow the leads they sent, across partners."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.checks import collecting
from referrals.domain.enums import Qualification, ReferrerKind, Source
from referrals.domain.errors import Forbidden, InvalidInput
from referrals.domain.lead import Customer, Lead, Origin, check_customer
from referrals.services.ingest import Ingested, LeadDraft, ingest_lead
from referrals.store import partners
from referrals.store.db import reading
from referrals.store.sent_leads import sent_by


@dataclass(frozen=True)
class SentLead:
    lead: Lead
    partner_name: str


def _staff(principal: Principal) -> Principal:
    if not principal.is_program_staff:
        raise Forbidden("This is for the program's staff.")
    return principal


def list_partners(engine: Engine, principal: Principal) -> list[tuple[str, str]]:
    _staff(principal)
    with reading(engine) as conn:
        return partners.choices(conn)


def send_qualified_lead(
    engine: Engine, principal: Principal, *, partner_id: str, qualification: Qualification | None,
    source: Source, customer: Customer, message: str, now: datetime,
) -> Ingested:
    _staff(principal)
    _check_whole_form(partner_id, qualification, customer, message)
    origin = Origin(
        qualification=qualification, source=source, referrer_kind=ReferrerKind.STAFF,
        referrer_id=principal.user_id, referrer_email=principal.email,
    )
    draft = LeadDraft(partner_id=partner_id, origin=origin, customer=customer, message=message)
    return ingest_lead(engine, draft, now=now, by=principal.actor)


def _check_whole_form(partner_id: str, qualification: Qualification | None, customer: Customer, message: str) -> None:
    """Every missing or wrong field at once (the partner, the qualification and the customer), not the first."""
    with collecting("The lead cannot be sent") as problems:
        if not partner_id:
            problems.add("partner_id", "is required")
        if qualification not in (Qualification.MARKETING, Qualification.SALES):
            problems.add("qualification", "is required")
        try:
            check_customer(customer, message)
        except InvalidInput as error:
            for name, message_ in error.fields.items():
                problems.add(name, message_)


def sent_leads(engine: Engine, principal: Principal, *, limit: int = 200) -> list[SentLead]:
    """The leads this staff member sent, newest first, with the partner each went to."""
    _staff(principal)
    with reading(engine) as conn:
        sent = sent_by(conn, principal.user_id, limit=limit)
    return [SentLead(lead, partner_name) for lead, partner_name in sent]
