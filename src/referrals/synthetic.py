"""Believable synthetic leads, shared by `referrals demo` and the benchmarks.

Customers, offers, messages and sources are drawn with a realistic skew (a few countries and the
Contact me call to action dominate; some contacts are malformed or spammy).
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from referrals.domain.enums import CallToAction, LeadType, Qualification, ReferrerKind, Source
from referrals.domain.lead import Customer, Origin
from referrals.domain.vocab import CompanySize, Industry

COUNTRIES = ["US", "IT", "DE", "GB", "FR", "ES", "NL", "IN", "BR", "CA", "AU", "JP", "SE", "CH", "PL"]
COUNTRY_WEIGHTS = [30, 14, 10, 9, 7, 5, 4, 4, 3, 3, 3, 2, 2, 2, 2]
FIRST = ["Anna", "Marco", "Giulia", "John", "Priya", "Lukas", "Sofia", "Chen", "Maria", "José", "Zoë", "Émile",
         "Fatima", "Olivia", "Noah", "Luca", "Hannah", "Kenji", "Ingrid", "Tomás"]
LAST = ["Rossi", "Müller", "Smith", "García", "Bianchi", "Dubois", "Kowalski", "Nguyen", "Johnson", "Ferrari",
        "Schmidt", "Brown", "Esposito", "Lindqvist", "Tanaka", "O'Brien", "Novák", "Silva", "Patel", "Weiß"]
COMPANY_HEADS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Soylent", "Hooli",
                 "Vandelay", "Pied Piper", "Cyberdyne", "Aperture", "Gringotts", "Oceanic", "Massive Dynamic",
                 "Caffè Nero", "Società Alpina", "Bäckerei Groß", "Électricité Nord"]
COMPANY_TAILS = ["Inc.", "S.r.l.", "GmbH", "Ltd", "S.p.A.", "SA", "BV", "Group", "Holdings", "Labs"]
TITLES = ["CIO", "IT Manager", "Head of Operations", "CFO", "Procurement Lead", "CTO", "Office Manager", ""]
OFFERS = [
    ("contoso.crm-suite", "CRM Suite for Sales Teams"),
    ("contoso.backup-365", "Backup 365"),
    ("fabrikam.ai-helpdesk", "AI Helpdesk"),
    ("northwind.erp-connect", "ERP Connect"),
    ("adatum.secure-gateway", "Secure Gateway"),
    ("adatum.data-lake-kit", "Data Lake Starter Kit"),
]
NEEDS = [
    "We need to migrate 200 mailboxes before the end of the quarter and want a partner to plan it.",
    "Looking for help integrating the CRM with our ERP; budget approved for this year.",
    "Please call me to discuss a pilot for our three plants.",
    "Interested in a quote for 50 users, with training in Italian.",
    "Our current vendor contract ends in March; we are evaluating alternatives.",
    "Need a security assessment of our cloud tenant.",
    "",
    "buy cheap followers now!!! click http://spam.example",
]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "libero.it", "web.de"]


@dataclass(frozen=True)
class SyntheticLead:
    origin: Origin
    customer: Customer
    message: str
    customer_requested_contact: bool
    created_at: datetime


def _slug(text: str) -> str:
    keep = "".join(ch for ch in text.lower() if ch.isalnum() or ch == " ")
    return "-".join(keep.split())[:30] or "company"


def _origin(rng: random.Random) -> Origin:
    roll = rng.random()
    source = rng.choices(list(Source), weights=[5, 4, 1])[0]
    if roll < 0.62:
        cta = rng.choices(list(CallToAction), weights=[3, 3, 1, 5])[0]
        offer_id, offer_title = rng.choice(OFFERS)
        return Origin(Qualification.DIRECT, source, LeadType.OFFER, cta, offer_id, offer_title)
    if roll < 0.82:
        return Origin(Qualification.DIRECT, source, LeadType.PROFILE, referrer_kind=ReferrerKind.DIRECTORY)
    qualification = Qualification.MARKETING if roll < 0.92 else Qualification.SALES
    return Origin(qualification, source, referrer_kind=ReferrerKind.STAFF, referrer_email="seller@program.example")


def _customer(rng: random.Random) -> Customer:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = f"{rng.choice(COMPANY_HEADS)} {rng.choice(COMPANY_TAILS)}"
    country = rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
    kind = rng.random()
    if kind < 0.70:
        email = f"{_slug(first)}.{_slug(last)}@{_slug(company).split('-')[0]}.example.com"
    elif kind < 0.88:
        email = f"{_slug(first)}{rng.randint(1, 99)}@{rng.choice(FREE_MAIL)}"
    elif kind < 0.94:
        email = f"{_slug(first)}@@broken"
    else:
        email = f"{_slug(first)}@mailinator.com"
    phone = {
        "IT": f"+39 02 {rng.randint(1000000, 9999999)}",
        "US": f"+1 415 555 {rng.randint(1000, 9999)}",
        "DE": f"+49 30 {rng.randint(1000000, 9999999)}",
        "GB": f"+44 20 7946 {rng.randint(1000, 9999)}",
    }.get(country, f"+{rng.randint(30, 99)} {rng.randint(100000, 99999999)}")
    if rng.random() < 0.08:
        phone = "12"
    return Customer(
        company=company, first_name=first, last_name=last, title=rng.choice(TITLES), email=email,
        phone=phone if rng.random() > 0.1 else "", country=country,
        company_size=rng.choice(list(CompanySize)).value, industry=rng.choice(list(Industry)).value,
    )


def sample_lead(rng: random.Random, *, start: datetime, end: datetime) -> SyntheticLead:
    origin = _origin(rng)
    span = (end - start).total_seconds()
    created = start + timedelta(seconds=span * (rng.random() ** 0.7))  # more leads recently
    requested = origin.call_to_action is CallToAction.CONTACT_ME or origin.type is LeadType.PROFILE
    if origin.qualification is not Qualification.DIRECT:
        requested = rng.random() < 0.5
    return SyntheticLead(origin, _customer(rng), rng.choice(NEEDS), requested, created)
