"""Program staff: send a qualified lead to a partner, and follow the leads they sent, across partners."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Qualification, ReferrerKind, Source
from referrals.domain.errors import Forbidden, InvalidInput
from referrals.domain.lead import Customer, Lead, Origin
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
    if qualification not in (Qualification.MARKETING, Qualification.SALES):
        raise InvalidInput("Choose marketing- or sales-qualified.", fields={"qualification": "is required"})
    origin = Origin(
        qualification=qualification, source=source, referrer_kind=ReferrerKind.STAFF,
        referrer_id=principal.user_id, referrer_email=principal.email,
    )
    draft = LeadDraft(partner_id=partner_id, origin=origin, customer=customer, message=message)
    return ingest_lead(engine, draft, now=now, by=principal.actor)


def sent_leads(engine: Engine, principal: Principal, *, limit: int = 200) -> list[SentLead]:
    """The leads this staff member sent, newest first, with the partner each went to."""
    _staff(principal)
    with reading(engine) as conn:
        sent = sent_by(conn, principal.user_id, limit=limit)
    return [SentLead(lead, partner_name) for lead, partner_name in sent]
