"""Synthetic leads with a known ground truth, for evaluating the quality model (and for demo outcomes).

`sample_lead(rng, now)` draws a plausible lead; `propensity(origin, customer, message, verdicts)` is the
hidden probability that it converts, which the model never sees; `sample_outcome` draws what the partner
reports. The propensity is deliberately not the model's own form (smooth in message length, an
interaction between channel and company size), so a good score has to be learned, not copied.

For consistent demo data:  origin, customer, message = sample_lead(rng, now)
                           p = propensity(origin, customer, message, verdicts_for(customer))
                           outcome, reason = sample_outcome(rng, p, spammy=is_spammy(...))
"""

import math
import random
from datetime import datetime

import phonenumbers

from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    Qualification,
    Reason,
    ReferrerKind,
    Source,
)
from referrals.domain.lead import Customer, Origin
from referrals.domain.quality_features import buying_signal_count
from referrals.domain.validity import EmailVerdict, PhoneVerdict, judge_email, judge_phone, link_count, spam_word_count
from referrals.domain.vocab import CompanySize, Industry

Verdicts = tuple[EmailVerdict, PhoneVerdict]

COUNTRIES = {
    "US": 24,
    "IT": 16,
    "GB": 10,
    "DE": 10,
    "FR": 8,
    "ES": 6,
    "IN": 6,
    "NL": 4,
    "BR": 4,
    "CA": 4,
    "AU": 3,
    "JP": 2,
    "CH": 2,
    "SE": 1,
}
TLD = {
    "US": "com",
    "IT": "it",
    "GB": "co.uk",
    "DE": "de",
    "FR": "fr",
    "ES": "es",
    "IN": "in",
    "NL": "nl",
    "BR": "com.br",
    "CA": "ca",
    "AU": "com.au",
    "JP": "co.jp",
    "CH": "ch",
    "SE": "se",
}
FIRST = [
    "Anna",
    "Marco",
    "Giulia",
    "Luca",
    "José",
    "María",
    "Jürgen",
    "Sophie",
    "Chloé",
    "Raj",
    "Priya",
    "Emma",
    "Liam",
    "Olivia",
    "Niccolò",
    "Søren",
    "Yuki",
]
LAST = [
    "Rossi",
    "Bianchi",
    "Müller",
    "Schmidt",
    "García",
    "Martín",
    "Dubois",
    "Smith",
    "Jones",
    "Patel",
    "Sharma",
    "Tanaka",
    "Jensen",
    "Esposito",
]
WORDS = [
    "Alpine",
    "Blue",
    "River",
    "Nord",
    "Sole",
    "Vertex",
    "Orbit",
    "Lumen",
    "Delta",
    "Fenice",
    "Quarzo",
    "Atlas",
    "Nimbus",
    "Kite",
    "Ferro",
    "Pixel",
]
KINDS = [
    "Logistics",
    "Consulting",
    "Foods",
    "Systems",
    "Energia",
    "Pharma",
    "Software",
    "Meccanica",
    "Retail",
    "Finance",
    "Studio",
    "Labs",
]
SUFFIX = {"IT": "S.r.l.", "DE": "GmbH", "FR": "SAS", "ES": "S.L.", "GB": "Ltd", "US": "Inc.", "NL": "B.V."}
FREE = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "libero.it", "gmx.de", "icloud.com"]
DISPOSABLE = ["mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com"]
SENIOR = ["CEO", "CTO", "IT Director", "Head of Operations", "Responsabile IT", "Founder", "CFO", "IT Manager"]
OTHER_TITLES = ["Analyst", "Consultant", "Engineer", "Specialist", "Impiegata", "Administrator", "Buyer"]
SIZE_WEIGHTS = {"1-9": 18, "10-49": 24, "50-249": 22, "250-999": 14, "1000-4999": 9, "5000+": 6, None: 7}
NEEDS = [  # each customer writes in one language: Italian in Italy, English elsewhere (the same needs, in order)
    "We need help moving {n} users to Microsoft 365",
    "Looking for a partner to implement the offer",
    "Our budget is approved for this quarter",
    "Please send a quote for {n} licenses",
    "We want to migrate our ERP by the end of Q3",
    "Can you integrate it with our CRM?",
    "We are looking for a quote for {n} users",
    "We would like a demo and pricing",
    "Timeline: go-live next month",
    "We have {n} employees across three sites",
]
NEEDS_IT = [
    "Ci serve aiuto per portare {n} utenti su Microsoft 365",
    "Cerchiamo un partner per implementare l'offerta",
    "Il budget è approvato per questo trimestre",
    "Inviateci un preventivo per {n} licenze",
    "Vogliamo migrare il nostro ERP entro la fine del Q3",
    "Potete integrarlo con il nostro CRM?",
    "Cerchiamo un preventivo per {n} utenti",
    "Vorremmo una demo e i prezzi",
    "Tempistiche: go-live il prossimo mese",
    "Abbiamo {n} dipendenti in tre sedi",
]
FILLER = [
    "Thanks.",
    "Please call me.",
    "Interested.",
    "We are evaluating options and would like to learn more about how this works for a company like ours.",
    "Hello, we would like more information.",
    "Just browsing for now.",
    "Could someone get in touch about the details?",
]
FILLER_IT = [
    "Grazie.",
    "Per favore, chiamatemi.",
    "Interessati.",
    "Stiamo valutando le opzioni e vorremmo capire meglio come funziona per un'azienda come la nostra.",
    "Ciao, vorremmo maggiori informazioni.",
    "Per ora stiamo solo guardando.",
    "Qualcuno può contattarci per i dettagli?",
]
STUDENT = ["For my thesis I would like some information.", "School project", ""]
STUDENT_IT = ["Per la mia tesi vorrei qualche informazione.", "Progetto scolastico", ""]
SPAM = [
    "Boost your traffic with our SEO services and backlinks! Click here www.cheap-seo.example",
    "Make money from crypto currency today: casino bonus 100% free http://x.example http://y.example",
    "Guest posts available, rank on Google fast. Limited time offer https://spam.example",
]

_INDUSTRY_EFFECT = {
    "financial_services": 0.3,
    "healthcare": 0.2,
    "technology": 0.2,
    "manufacturing": 0.2,
    "government": -0.3,
    "education": -0.4,
    "nonprofit": -0.5,
    "hospitality": -0.2,
}
_SIZE_EFFECT = {"1-9": -0.5, "10-49": -0.1, "50-249": 0.2, "250-999": 0.4, "1000-4999": 0.5, "5000+": 0.3}
BASE_LOGIT = -2.6
SHARPNESS = 1.35  # how far apart good and poor leads are: sets the best AUC any model can reach
_CHANNEL_EFFECT = {
    "sales": 1.6,
    "marketing": 0.8,
    "profile": 0.6,
    CallToAction.CONTACT_ME: 0.5,
    CallToAction.TEST_DRIVE: 0.0,
    CallToAction.FREE_TRIAL: -0.3,
    CallToAction.GET_IT_NOW: -0.6,
}


def _pick(rng: random.Random, weighted: dict):
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _origin(rng: random.Random, actionable_only: bool) -> Origin:
    source = _pick(rng, {Source.APPSOURCE: 50, Source.AZURE_MARKETPLACE: 35, Source.AZURE_PORTAL: 15})
    roll = rng.random()
    if roll < 0.08:
        return Origin(Qualification.SALES, source, referrer_kind=ReferrerKind.STAFF)
    if roll < 0.18:
        return Origin(Qualification.MARKETING, source, referrer_kind=ReferrerKind.STAFF)
    if roll < 0.36:
        return Origin(Qualification.DIRECT, source, LeadType.PROFILE, referrer_kind=ReferrerKind.DIRECTORY)
    ctas = {
        CallToAction.CONTACT_ME: 45,
        CallToAction.FREE_TRIAL: 25,
        CallToAction.GET_IT_NOW: 20,
        CallToAction.TEST_DRIVE: 10,
    }
    cta = CallToAction.CONTACT_ME if actionable_only else _pick(rng, ctas)
    offer = rng.randint(1, 40)
    return Origin(Qualification.DIRECT, source, LeadType.OFFER, cta, f"publisher.offer-{offer}", f"Offer {offer}")


def _phone(rng: random.Random, country: str, quality: str) -> str:
    if quality == "none":
        return ""
    kind = rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
    example = phonenumbers.example_number_for_type(country, kind)
    digits = str(example.national_number)
    for _ in range(5):
        tail = "".join(rng.choice("0123456789") for _ in range(4))
        number = phonenumbers.parse(digits[:-4] + tail, country)
        if phonenumbers.is_valid_number(number):
            break
    if quality == "invalid":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)[:-3]
    style = rng.choice([phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL])
    return phonenumbers.format_number(number, style)


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def sample_lead(rng: random.Random, now: datetime, *, actionable_only: bool = False):
    """One plausible lead: (Origin, Customer, message). `now` is accepted for future seasonality."""
    origin = _origin(rng, actionable_only)
    country = _pick(rng, COUNTRIES)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    persona = _pick(rng, {"buyer": 62, "browser": 22, "student": 6, "spammer": 6, "test": 1})
    word, kind = rng.choice(WORDS), rng.choice(KINDS)
    company = f"{word} {kind} {SUFFIX.get(country, '')}".strip()
    size = _pick(rng, SIZE_WEIGHTS)
    industry = rng.choice(list(Industry)).value if rng.random() < 0.9 else None
    title = rng.choice(SENIOR) if rng.random() < 0.35 else rng.choice(OTHER_TITLES) if rng.random() < 0.8 else ""
    local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", first]).lower()
    free_share = 0.55 if size in ("1-9", None) else 0.25
    domain = rng.choice(FREE) if rng.random() < free_share else f"{_slug(word + kind)}.{TLD[country]}"
    if rng.random() < 0.06:
        local = rng.choice(["info", "sales", "office", "contact"])
    email = f"{local}@{domain}"
    phone_quality = _pick(rng, {"valid": 70, "none": 15, "invalid": 15})
    need_count = rng.choices([0, 1, 2, 3, 4], weights=[30, 30, 20, 12, 8])[0]
    if persona == "browser":
        need_count = rng.choices([0, 1], weights=[80, 20])[0]
    italian = country == "IT"
    needs, filler = (NEEDS_IT, FILLER_IT) if italian else (NEEDS, FILLER)
    parts = [rng.choice(needs).format(n=rng.choice([15, 40, 120, 500])) for _ in range(need_count)]
    parts += [rng.choice(filler) for _ in range(rng.choices([0, 1, 2], weights=[35, 45, 20])[0])]
    rng.shuffle(parts)
    message = ". ".join(parts)
    if persona == "student":
        title, company, email = "Student", rng.choice(["", "University"]), f"{local}@{rng.choice(FREE)}"
        message = rng.choice(STUDENT_IT if italian else STUDENT)
    elif persona == "spammer":
        email = rng.choice(
            [
                f"{local}@{rng.choice(DISPOSABLE)}",
                "asdf@asdf.com",
                "test@test.com",
                f"{local}{rng.randint(10, 99)}@{rng.choice(FREE)}",
            ]
        )
        message, phone_quality, size, title = rng.choice(SPAM), rng.choice(["none", "invalid"]), None, ""
    elif persona == "test":
        first, last, company = "MSFT_TEST", "MSFT_TEST", "MSFT_TEST"
    if rng.random() < 0.03:  # a typo the customer did not notice
        email = email.replace("@", "@@") if rng.random() < 0.5 else email.rsplit(".", 1)[0]
    customer = Customer(
        company=company,
        first_name=first,
        last_name=last,
        title=title,
        email=email,
        phone=_phone(rng, country, phone_quality),
        country=country,
        company_size=size,
        industry=industry,
    )
    return origin, customer, message


def verdicts_for(customer: Customer) -> Verdicts:
    return judge_email(customer.email), judge_phone(customer.phone, customer.country)


def is_spammy(customer: Customer, message: str, verdicts: Verdicts) -> bool:
    text = f"{customer.first_name} {customer.company} {message}".lower()
    return verdicts[0].spam or spam_word_count(message) > 0 or "msft_test" in text


def propensity(
    origin: Origin, customer: Customer, message: str, verdicts: Verdicts, *, partner_skill: float = 0.0
) -> float:
    """The hidden probability that this lead converts (the ground truth of the evaluation)."""
    email, phone = verdicts
    z = 0.0
    key = (
        origin.qualification.value
        if origin.qualification is not Qualification.DIRECT
        else ("profile" if origin.type is LeadType.PROFILE else origin.call_to_action)
    )
    z += _CHANNEL_EFFECT.get(key, 0.0)
    z += {Source.AZURE_PORTAL: 0.2, Source.AZURE_MARKETPLACE: 0.1}.get(origin.source, 0.0)
    z += _SIZE_EFFECT.get(customer.company_size or "", -0.3) + _INDUSTRY_EFFECT.get(customer.industry or "", 0.0)
    if key == "sales" and customer.company_size in (CompanySize.ENTERPRISE, CompanySize.GLOBAL):
        z += 0.4
    if email.validity is EmailValidity.SPAM or "msft_test" in (customer.company or "").lower():
        z -= 4.0
    elif email.validity is EmailValidity.INVALID:
        z -= 1.5
    elif email.validity is EmailValidity.UNKNOWN:
        z -= 0.8
    z += -0.6 if email.free_mail else 0.3 if email.domain else 0.0
    z -= 0.4 if email.role_account else 0.0
    z += {PhoneValidity.VALID: 0.5, PhoneValidity.INVALID: -0.7}.get(phone.validity, -0.2)
    text = message or ""
    z += 1.0 * math.tanh(len(text) / 250) - 0.4
    z += 0.45 * min(buying_signal_count(text), 3)
    z -= 2.0 if spam_word_count(text) else 0.0
    z -= 0.6 if link_count(text) else 0.0
    title = (customer.title or "").lower()
    z += -1.3 if "student" in title else 0.4 if any(s.lower() in title for s in SENIOR) else 0.0
    z = BASE_LOGIT + partner_skill + SHARPNESS * z
    return 1.0 / (1.0 + math.exp(-z))


def sample_outcome(rng: random.Random, probability: float, *, spammy: bool) -> tuple[Outcome, Reason | None]:
    """What the partner reports: won with the given probability; otherwise lost or declined, and a spammy
    lead that did not convert is usually declined as spam."""
    if rng.random() < probability:
        return Outcome.WON, None
    if spammy and rng.random() < 0.85:
        return Outcome.DECLINED, Reason.SPAM
    if rng.random() < 0.55:
        return Outcome.LOST, rng.choice(
            [Reason.BUDGET_NOT_ADEQUATE, Reason.CHOSE_ANOTHER_VENDOR, Reason.TIMELINE_TOO_SHORT]
        )
    return Outcome.DECLINED, rng.choice(
        [Reason.CUSTOMER_DID_NOT_RESPOND, Reason.REQUIREMENT_NOT_MET, Reason.NOT_A_CUSTOMER]
    )
