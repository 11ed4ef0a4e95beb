"""A believable demo program: partners with locations and users, and leads of every kind and state,
spread over the last months. Used by `referrals demo` (and `make run`) and by the tests."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select

from referrals.domain.access import Principal
from referrals.domain.deal import DealTerms, Employee, Money
from referrals.domain.enums import CallToAction, LeadType, Outcome, Qualification, ReferrerKind, Role, Status
from referrals.domain.lead import Lead, Origin
from referrals.services.auth import principal_for_user
from referrals.services.directory_admin import add_partner, add_user
from referrals.services.ingest import LeadDraft, ingest_many
from referrals.services.lifecycle import accept_lead, add_deal_employee, close_lead, decline_lead
from referrals.services.partner_stats import refresh_partner_stats
from referrals.services.profiles import get_profile, save_profile
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.store.tables import leads, users
from referrals.synthetic import is_spammy, propensity, sample_lead, sample_outcome, verdicts_for

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for the demo, documented in the README
PARTNERS = [
    ("Contoso Consulting", "IT", "Milano", "Europe/Rome", "contoso"),
    ("Fabrikam Solutions", "US", "Seattle", "America/Los_Angeles", "fabrikam"),
    ("Northwind Partners", "DE", "Berlin", "Europe/Berlin", "northwind"),
    ("Adatum Cloud", "GB", "London", "Europe/London", "adatum"),
]
PROFILES = {
    "contoso": ("CRM and ERP integrations for Italian manufacturers; fatturazione elettronica, training in Italian.",
                ("crm", "erp", "fatturazione elettronica", "dynamics 365"), ("manufacturing", "retail"),
                ("IT", "CH", "SM")),
    "fabrikam": ("AI helpdesks and customer-service automation for mid-size companies in North America.",
                 ("ai", "helpdesk", "copilot", "customer service"), ("technology", "healthcare"), ("US", "CA")),
    "northwind": ("SAP and ERP migrations, data platforms and reporting for German-speaking industry.",
                  ("sap", "erp", "data platform", "power bi"), ("manufacturing", "energy"), ("DE", "AT", "CH")),
    "adatum": ("Cloud security, backup and Microsoft 365 migrations for British public and private sector.",
               ("security", "backup", "microsoft 365", "migration"), ("government", "financial_services"),
               ("GB", "IE")),
}


@dataclass
class DemoProgram:
    partners: dict[str, str] = field(default_factory=dict)  # slug -> partner id
    admins: dict[str, str] = field(default_factory=dict)  # slug -> referrals-admin user id
    staff: dict[str, str] = field(default_factory=dict)  # program staff email -> user id
    principals: dict[str, Principal] = field(default_factory=dict)  # slug -> that admin, signed in
    credentials: list[tuple[str, str]] = field(default_factory=list)  # (email, roles)
    leads: int = 0
    inbound_keys: dict[str, str] = field(default_factory=dict)


def is_empty(engine: Engine) -> bool:
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(users)).scalar_one() == 0


def seed(engine: Engine, *, now: datetime, leads_count: int = 400, seed_value: int = 7,
         progress: Callable[[int], None] | None = None) -> DemoProgram:
    rng = random.Random(seed_value)
    program = DemoProgram()
    _people(engine, program, now)
    slugs = list(program.partners)
    start = now - timedelta(days=200)
    drafts = []
    for index in range(leads_count):
        origin, customer, message = sample_lead(rng, now)
        origin = _sent_by_staff(program, origin)
        created = start + (now - start) * (rng.random() ** 0.7)  # more leads recently
        slug = slugs[0] if rng.random() < 0.4 else rng.choice(slugs)  # the first partner is the busiest
        requested = origin.call_to_action is CallToAction.CONTACT_ME or origin.type is LeadType.PROFILE
        drafts.append(
            LeadDraft(
                partner_id=program.partners[slug], origin=origin, customer=customer, message=message,
                customer_requested_contact=requested or (origin.type is None and rng.random() < 0.5),
                external_id=f"demo-{seed_value}-{index}", received_at=created,
            )
        )
    results = ingest_many(engine, drafts, now=now)
    program.leads = sum(1 for r in results if r.created)
    for done, result in enumerate(results, start=1):
        if result.lead is not None and result.created:
            _work(engine, program, result.lead, rng, now)
        if progress and done % 50 == 0:
            progress(50)
    _expire_at_deadlines(engine, now)
    _publish_profiles(engine, program, now)
    refresh_partner_stats(engine, now=now)
    return program


def _sent_by_staff(program: DemoProgram, origin: Origin) -> Origin:
    """Qualified leads come from the program's people: sales-qualified from the seller, marketing-qualified from the
    program admin, so each has leads to follow on their landing page (/program/sent)."""
    sender = {Qualification.SALES: "seller@program.example", Qualification.MARKETING: "admin@program.example"}
    email = sender.get(origin.qualification)
    if email is None:
        return origin
    return replace(origin, referrer_kind=ReferrerKind.STAFF, referrer_id=program.staff[email], referrer_email=email)


def _expire_at_deadlines(engine: Engine, now: datetime) -> None:
    """The sweep run at each deadline the demo's past went through, so a lead that expired (or retired) is stamped
    when it did, not when the demo was made."""
    with reading(engine) as conn:
        moments = sorted(set(conn.execute(
            select(func.coalesce(leads.c.response_due_at, leads.c.archive_due_at))
            .where(leads.c.status == Status.RECEIVED.value,
                   func.coalesce(leads.c.response_due_at, leads.c.archive_due_at) <= now)).scalars()))
    for moment in moments:
        sweep(engine, now=moment, remind=False)  # no reminder about a past the demo only replays
    sweep(engine, now=now)


def _publish_profiles(engine: Engine, program: DemoProgram, now: datetime) -> None:
    for slug, principal in program.principals.items():
        description, keywords, industries, countries = PROFILES[slug]
        profile = get_profile(engine, principal)
        save_profile(engine, principal, replace(
            profile, description=description, keywords=keywords, industries=industries, countries=countries,
            company_sizes=("10-49", "50-249", "250-999"), products=keywords[:2], published=True,
            website=f"https://{slug}.example",
        ), now=now)


def _people(engine: Engine, program: DemoProgram, now: datetime) -> None:
    for email, role in (("admin@program.example", Role.PROGRAM_ADMIN), ("seller@program.example", Role.PROGRAM_SELLER)):
        program.staff[email] = add_user(engine, email, partner_id=None, roles=[role], password=DEMO_PASSWORD, now=now)
        program.credentials.append((email, role.value))
    for name, country, city, timezone, slug in PARTNERS:
        partner = add_partner(engine, name, country=country, city=city, timezone=timezone,
                              contact_email=f"leads@{slug}.example", contact_name="Lead desk", now=now)
        program.partners[slug] = partner.id
        program.inbound_keys[slug] = partner.inbound_key
        admin_roles = [Role.REFERRALS_ADMIN, Role.BUSINESS_PROFILE_ADMIN]
        # no language stored: the pages follow each person's browser until they choose one in their settings
        program.admins[slug] = add_user(engine, f"admin@{slug}.example", partner_id=partner.id, roles=admin_roles,
                                        password=DEMO_PASSWORD, name=f"{name} admin", now=now)
        add_user(engine, f"user@{slug}.example", partner_id=partner.id, roles=[Role.REFERRALS_USER],
                 password=DEMO_PASSWORD, name=f"{name} user", now=now)
        with reading(engine) as conn:
            program.principals[slug] = principal_for_user(conn, program.admins[slug])
        program.credentials.append((f"admin@{slug}.example", "referrals-admin, business-profile-admin"))
        program.credentials.append((f"user@{slug}.example", "referrals-user"))


def _work(engine: Engine, program: DemoProgram, lead: Lead, rng: random.Random, now: datetime) -> None:
    """What the partner did with the lead, drawn from the lead's hidden conversion propensity: nothing yet
    (recent leads, and some old ones that will expire), declined, or accepted and perhaps won or lost."""
    if lead.informational or now - lead.created_at < timedelta(days=2) or rng.random() < 0.2:
        return
    slug = next(s for s, pid in program.partners.items() if pid == lead.partner_id)
    admin_id, principal = program.admins[slug], program.principals[slug]
    verdicts = verdicts_for(lead.customer)
    chance = propensity(lead.origin, lead.customer, lead.message, verdicts)
    outcome, reason = sample_outcome(rng, chance, spammy=is_spammy(lead.customer, lead.message, verdicts))
    acted = min(lead.created_at + timedelta(hours=rng.randint(1, 240)), lead.created_at + timedelta(days=13), now)
    if outcome is Outcome.DECLINED:
        decline_lead(engine, principal, lead.id, reason, "Declined during triage.", now=acted)
        return
    terms = DealTerms(
        name=f"{lead.customer.company or lead.customer.last_name} – {lead.origin.offer_title or 'services'}"[:200],
        value=Money(Decimal(rng.randrange(2_000, 250_000, 500)), rng.choice(["EUR", "USD", "GBP"])),
        team_member_ids=(admin_id,), purchase_date=(acted + timedelta(days=rng.randint(20, 120))).date(),
        notes="Qualified on the first call.", crm_id=f"CRM-{rng.randint(10000, 99999)}",
    )
    accept_lead(engine, principal, lead.id, terms, now=acted)
    if rng.random() < 0.3:
        add_deal_employee(engine, principal, lead.id, Employee("Sam Rivera", f"sam@{slug}.example"), now=acted)
    closed = acted + timedelta(days=rng.randint(5, 60))
    if closed < now and rng.random() < 0.7:
        close_lead(engine, principal, lead.id, outcome, reason, "", now=closed)


def lead_count(engine: Engine) -> int:
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(leads)).scalar_one()



