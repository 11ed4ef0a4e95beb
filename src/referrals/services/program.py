"""Program staff: send a qualified lead to a partner, and follow the leads they sent, across partners."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from referrals.domain.access import Principal
from referrals.domain.enums import Qualification, ReferrerKind, Source
from referrals.domain.errors import Forbidden, InvalidInput
from referrals.domain.lead import Customer, Lead, Origin
from referrals.services.ingest import Ingested, LeadDraft, ingest_lead
from referrals.store.db import reading
from referrals.store.leadrows import row_to_lead
from referrals.store.tables import leads, partners


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
        rows = conn.execute(select(partners.c.id, partners.c.name).order_by(partners.c.name, partners.c.id))
        return [(row.id, row.name) for row in rows]


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
        rows = conn.execute(
            select(leads, partners.c.name.label("partner_name"))
            .join(partners, partners.c.id == leads.c.partner_id)
            .where(leads.c.referrer_kind == ReferrerKind.STAFF.value, leads.c.referrer_id == principal.user_id)
            .order_by(leads.c.created_at.desc(), leads.c.id.desc())
            .limit(limit)
        ).all()
    return [SentLead(row_to_lead(row), row.partner_name) for row in rows]
