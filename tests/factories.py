"""Building blocks for tests: a fixed clock, leads of every kind, deals, partners, users and principals.

Pure builders (no database) come first, for unit tests; the ones taking an engine go through the services,
so API and browser tests can set up the same world the service tests use.
"""

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, update

from referrals.domain import lead as lead_rules
from referrals.domain.access import Principal
from referrals.domain.deal import CustomerContact, DealTerms, Employee, Money
from referrals.domain.enums import CallToAction, LeadType, Qualification, ReferrerKind, Role, Source
from referrals.domain.history import Actor
from referrals.domain.lead import Customer, Lead, Origin
from referrals.domain.vocab import CompanySize, Industry
from referrals.services import directory_admin
from referrals.services.auth import principal_for_user
from referrals.services.ingest import LeadDraft, ingest_lead
from referrals.store.db import reading, writing
from referrals.store.tables import leads

# A Monday morning, UTC. Every test passes time explicitly; nothing reads the clock.
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

# -- leads of every kind ---------------------------------------------------------------------------------

CONTACT_ME = "contact_me"
GET_IT_NOW = "get_it_now"
FREE_TRIAL = "free_trial"
TEST_DRIVE = "test_drive"
PROFILE = "profile"
MARKETING = "marketing"
SALES = "sales"

INFORMATIONAL_KINDS = (GET_IT_NOW, FREE_TRIAL, TEST_DRIVE)
ACTIONABLE_KINDS = (CONTACT_ME, PROFILE, MARKETING, SALES)
LEAD_KINDS = ACTIONABLE_KINDS + INFORMATIONAL_KINDS
MARKETPLACE_KINDS = (CONTACT_ME, PROFILE, *INFORMATIONAL_KINDS)
QUALIFIED_KINDS = (MARKETING, SALES)


def origin(kind: str = CONTACT_ME, **overrides: Any) -> Origin:
    """The origin of a lead of `kind` (one of LEAD_KINDS)."""
    if kind in (CONTACT_ME, *INFORMATIONAL_KINDS):
        base = Origin(
            qualification=Qualification.DIRECT,
            source=Source.AZURE_MARKETPLACE,
            type=LeadType.OFFER,
            call_to_action=CallToAction(kind),
            offer_id="contoso.crm-suite",
            offer_title="Contoso CRM Suite",
            referrer_kind=ReferrerKind.MARKETPLACE,
        )
    elif kind == PROFILE:
        base = Origin(
            qualification=Qualification.DIRECT,
            source=Source.APPSOURCE,
            type=LeadType.PROFILE,
            referrer_kind=ReferrerKind.DIRECTORY,
        )
    elif kind in (MARKETING, SALES):
        base = Origin(
            qualification=Qualification(kind),
            source=Source.AZURE_PORTAL,
            referrer_kind=ReferrerKind.STAFF,
            referrer_email="seller@program.example",
        )
    else:
        raise ValueError(f"unknown lead kind {kind!r}; use one of {LEAD_KINDS}")
    return replace(base, **overrides)


def customer(**overrides: Any) -> Customer:
    base = Customer(
        company="Fabrikam Srl",
        first_name="Giulia",
        last_name="Rossi",
        title="CTO",
        email="giulia.rossi@fabrikam.it",
        phone="+39 02 1234 5678",
        country="IT",
        company_size=CompanySize.SMALL,
        industry=Industry.MANUFACTURING,
    )
    return replace(base, **overrides)


_external_ids = itertools.count(1)


def lead_draft(kind: str, partner_id: str, **overrides: Any) -> LeadDraft:
    """A lead as a source would send it. `customer` and `origin` may be given as dicts of overrides."""
    customer_value = overrides.pop("customer", None)
    origin_value = overrides.pop("origin", None)
    fields: dict[str, Any] = {
        "partner_id": partner_id,
        "origin": origin_value if isinstance(origin_value, Origin) else origin(kind, **(origin_value or {})),
        "customer": customer_value if isinstance(customer_value, Customer) else customer(**(customer_value or {})),
        "message": "We need a CRM for 40 sales people by the summer.",
        "customer_requested_contact": kind == CONTACT_ME,
    }
    fields.update(overrides)
    return LeadDraft(**fields)


def received_lead(kind: str = CONTACT_ME, *, now: datetime = NOW, lead_id: str = "lead-1",
                  partner_id: str = "partner-1", **customer_overrides: Any) -> Lead:
    """A freshly received lead, built by the domain alone (no database)."""
    lead, _entry = lead_rules.receive(
        id=lead_id,
        partner_id=partner_id,
        location_id="location-1",
        origin=origin(kind),
        customer=customer(**customer_overrides),
        message="We need a CRM.",
        customer_requested_contact=kind == CONTACT_ME,
        now=now,
    )
    return lead


# -- deals -----------------------------------------------------------------------------------------------


def deal_terms(team: tuple[str, ...] = ("user-1",), **overrides: Any) -> DealTerms:
    base = DealTerms(
        name="Fabrikam CRM rollout",
        value=Money(Decimal("25000.00"), "EUR"),
        team_member_ids=tuple(team),
        purchase_date=date(2026, 6, 30),
        notes="Call booked for Thursday; they want a pilot first.",
        campaign_id="CAMP-2026-Q1",
        crm_id="CRM-0042",
        customer_contacts=(CustomerContact("Marco", "Bianchi", "marco.bianchi@fabrikam.it"),),
    )
    return replace(base, **overrides)


def employee(**overrides: Any) -> Employee:
    return replace(Employee("Anna Verdi", "anna.verdi@contoso.it", "+39 06 555 0101"), **overrides)


ALICE = Actor("user-1", "alice@contoso.it")


# -- partners, users, principals (through the services) --------------------------------------------------

_emails = itertools.count(1)


@dataclass(frozen=True)
class Tenant:
    """A partner with its first location, a Referrals admin and a read-only Referrals user."""

    partner_id: str
    location_id: str
    inbound_key: str
    admin: Principal
    reader: Principal


def add_partner(engine: Engine, name: str = "Contoso Consulting", *, country: str = "IT",
                now: datetime = NOW) -> directory_admin.NewPartner:
    return directory_admin.add_partner(engine, name, country=country, city="Milano",
                                       contact_email="alerts@contoso.it", contact_name="Luca", now=now)


def add_principal(engine: Engine, partner_id: str | None, *roles: Role, email: str | None = None,
                  now: datetime = NOW) -> Principal:
    """A user with `roles` (a Referrals admin when none are given), returned as the principal the web would see."""
    email = email or f"user{next(_emails)}@{'program' if partner_id is None else 'partner'}.example"
    user_id = directory_admin.add_user(engine, email, partner_id=partner_id,
                                       roles=list(roles or (Role.REFERRALS_ADMIN,)), password=None, now=now)
    with reading(engine) as conn:
        principal = principal_for_user(conn, user_id)
    assert principal is not None
    return principal


def add_tenant(engine: Engine, name: str = "Contoso Consulting", *, now: datetime = NOW) -> Tenant:
    partner = add_partner(engine, name, now=now)
    admin = add_principal(engine, partner.id, Role.REFERRALS_ADMIN, now=now)
    reader = add_principal(engine, partner.id, Role.REFERRALS_USER, now=now)
    return Tenant(partner.id, partner.location_id, partner.inbound_key, admin, reader)


def ingest(engine: Engine, kind: str, partner_id: str, *, now: datetime = NOW, **overrides: Any) -> Lead:
    """Ingest one new lead of `kind` and return it."""
    result = ingest_lead(engine, lead_draft(kind, partner_id, **overrides), now=now)
    assert result.created and result.lead is not None, result
    return result.lead


def restamp(engine: Engine, partner_id: str, lead_id: str, **columns: Any) -> None:
    """Set screening columns directly (email/phone validity, quality, spam) so listing tests do not depend
    on how the screening service judges a lead."""
    with writing(engine) as conn:
        conn.execute(update(leads).where(leads.c.partner_id == partner_id, leads.c.id == lead_id).values(**columns))


def as_stored(lead: Lead) -> Lead:
    """The lead as the database keeps it: the conversion probability has five decimals."""
    quality = lead.screening.quality
    screening = replace(lead.screening, quality=replace(quality, probability=round(quality.probability, 5)))
    return replace(lead, screening=screening)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def urgency_order(leads_by_key: dict[str, Lead], now: datetime) -> list[str]:
    """The keys in the urgency sort's order, from the domain's own rules: hot leads newest first, then leads waiting
    for an answer by nearest deadline, then the rest newest first (ties by id, as the list breaks them)."""
    from referrals.domain.enums import Status, Urgency

    def waiting(lead: Lead) -> bool:
        return lead.status is Status.RECEIVED and lead.response_due_at is not None and lead.response_due_at > now

    items = list(leads_by_key.items())
    hot = [i for i in items if i[1].urgency(now) is Urgency.HOT]
    due = [i for i in items if i not in hot and waiting(i[1])]
    rest = [i for i in items if i not in hot and i not in due]
    ordered = (sorted(hot, key=lambda i: (i[1].created_at, i[1].id), reverse=True)
               + sorted(due, key=lambda i: (i[1].response_due_at, i[1].id))
               + sorted(rest, key=lambda i: (i[1].created_at, i[1].id), reverse=True))
    return [key for key, _ in ordered]
