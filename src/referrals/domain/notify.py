"""Who is told about what, and how (PRODUCT.md section 5). Pure: callers pass in the people and settings."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from referrals.domain.enums import LeadType, Qualification, ReferrerKind
from referrals.domain.lead import Lead

RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=2)
MAX_ATTEMPTS = 10
LANGUAGES = ("en", "it")


@dataclass(frozen=True)
class Person:
    """Someone who may receive an email: a user, a partner contact, a customer, an operations inbox."""

    email: str
    language: str = "en"
    preferred_email: str | None = None  # a notification preference: takes precedence when set
    new_lead_emails: str = "each"  # NEW_LEAD_RHYTHMS: each (within the daily threshold), digest, none

    @property
    def address(self) -> str:
        return self.preferred_email or self.email


NEW_LEAD_RHYTHMS = ("each", "digest", "none")


def emails_new_lead(lead: Lead) -> bool:
    """Only leads that need a response are emailed: Contact me offer leads, profile leads, qualified leads."""
    return lead.actionable


def new_lead_recipients(
    lead: Lead, *, admins: list[Person], location_contact: Person | None, partner_preferred: str | None,
    owner: Person | None = None,
) -> list[Person]:
    """A lead with an owner goes to its owner alone. Otherwise marketplace and qualified leads go to the
    partner's Referrals admins; profile leads to the contact of the business-profile location the customer
    chose. A partner's preferred notification email takes precedence over both; a user's own preference over
    its sign-in address. People whose rhythm is `none` get nothing."""
    if owner is not None:
        return [owner] if owner.new_lead_emails != "none" else []
    language = admins[0].language if admins else "en"
    if partner_preferred:
        return [Person(partner_preferred, language)]
    if lead.origin.type is LeadType.PROFILE and location_contact and location_contact.address:
        return [location_contact]
    return _unique([admin for admin in admins if admin.new_lead_emails != "none"])


def referrer_of(kind: ReferrerKind, email: str | None, qualification: Qualification,
                operations_email: str) -> Person | None:
    """Who hears that a lead expired, from its origin's referrer and qualification: the staff member or partner
    that sent it; the program's operations inbox for marketplace and directory leads."""
    if kind in (ReferrerKind.STAFF, ReferrerKind.PARTNER) and email:
        return Person(email)
    if qualification is not Qualification.DIRECT and email:
        return Person(email)
    return Person(operations_email) if operations_email else None


def customer_language(country: str | None) -> str:
    return "it" if country in ("IT", "SM", "VA") else "en"


def goes_in_digest(count_today: int, threshold: int, rhythm: str = "each") -> bool:
    """The first `threshold` new-lead emails of a recipient's day go out one by one; the rest wait for the digest.
    Someone who asked for the digest only gets every new lead there."""
    return rhythm == "digest" or count_today > threshold


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def day_is_over(day: date, timezone: str, now: datetime) -> bool:
    return local_day(now, timezone) > day


def retry_after(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at two hours."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def _unique(people: list[Person]) -> list[Person]:
    seen, result = set(), []
    for person in people:
        key = person.address.lower()
        if key and key not in seen:
            seen.add(key)
            result.append(person)
    return result
