"""A lead as the vendor's Referrals API shows it (a "referral"), declared once: its statuses, the fields a `$filter`
may test and the lead columns each value means, and the document itself (docs/integrations.md has the table).

received -> New/Received (informational leads New/Pending: they need no answer and cannot be accepted),
accepted -> Active/Accepted, archived -> Closed with the outcome as substatus (Won, Lost, Declined, Expired).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from referrals.domain.enums import Outcome, Qualification, Status
from referrals.domain.lead import Lead, visible_customer
from referrals.domain.odata import FieldSpec, Kind


class ReferralStatus(StrEnum):
    NEW = "New"
    ACTIVE = "Active"
    CLOSED = "Closed"


class Substatus(StrEnum):
    PENDING = "Pending"
    RECEIVED = "Received"
    ACCEPTED = "Accepted"
    WON = "Won"
    LOST = "Lost"
    DECLINED = "Declined"
    EXPIRED = "Expired"


QUALIFICATIONS = {Qualification.DIRECT: "Direct", Qualification.MARKETING: "MarketingQualified",
                  Qualification.SALES: "SalesQualified"}
OUTCOMES = {Outcome.WON: Substatus.WON, Outcome.LOST: Substatus.LOST, Outcome.DECLINED: Substatus.DECLINED,
            Outcome.EXPIRED: Substatus.EXPIRED}
TYPE = "Independent"  # every lead here is the partner's own to work: no co-sell
DIRECTION = "Incoming"  # the partner receives every lead; it sends none through this endpoint

# Which substatus goes with which status; the first is what setting the status alone means.
SUBSTATUSES = {
    ReferralStatus.NEW: (Substatus.RECEIVED, Substatus.PENDING),
    ReferralStatus.ACTIVE: (Substatus.ACCEPTED,),
    ReferralStatus.CLOSED: (Substatus.WON, Substatus.LOST, Substatus.DECLINED, Substatus.EXPIRED),
}

DATE_COLUMNS = {"createdDateTime": "created_at", "updatedDateTime": "updated_at"}
FILTERABLE = {
    "status": FieldSpec(Kind.CHOICE, tuple(ReferralStatus)),
    "substatus": FieldSpec(Kind.CHOICE, tuple(Substatus)),
    "qualification": FieldSpec(Kind.CHOICE, tuple(QUALIFICATIONS.values())),
    "type": FieldSpec(Kind.TEXT),
    "direction": FieldSpec(Kind.TEXT),
    "customerProfile/address/country": FieldSpec(Kind.TEXT),
    "createdDateTime": FieldSpec(Kind.DATETIME),
    "updatedDateTime": FieldSpec(Kind.DATETIME),
}
ORDERABLE = tuple(DATE_COLUMNS)
SELECTABLE = ("id", "name", "externalReferenceId", "createdDateTime", "updatedDateTime", "expirationDateTime",
              "acceptedDateTime", "status", "substatus", "statusReason", "type", "qualification", "direction",
              "customerProfile", "consent", "details", "team", "eTag")


def column_terms(field: str, value: str) -> dict[str, Any] | bool:
    """What `field eq value` means on a lead's columns: every (column, value) pair must hold; a bool when the
    answer is the same for every lead (type and direction are constant here)."""
    if field == "status":
        return {"status": {ReferralStatus.NEW: Status.RECEIVED, ReferralStatus.ACTIVE: Status.ACCEPTED,
                           ReferralStatus.CLOSED: Status.ARCHIVED}[ReferralStatus(value)].value}
    if field == "substatus":
        sub = Substatus(value)
        if sub in (Substatus.PENDING, Substatus.RECEIVED):
            return {"status": Status.RECEIVED.value, "informational": sub is Substatus.PENDING}
        if sub is Substatus.ACCEPTED:
            return {"status": Status.ACCEPTED.value}
        return {"outcome": next(o for o, s in OUTCOMES.items() if s is sub).value}
    if field == "qualification":
        return {"qualification": next(q for q, name in QUALIFICATIONS.items() if name == value).value}
    if field == "customerProfile/address/country":
        return {"customer_country": value.upper()}
    if field == "type":
        return value == TYPE
    if field == "direction":
        return value == DIRECTION
    raise ValueError(f"{field} is not a filterable text field")


def status_of(lead: Lead) -> tuple[ReferralStatus, Substatus]:
    if lead.status is Status.ARCHIVED:
        return ReferralStatus.CLOSED, OUTCOMES[lead.outcome or Outcome.EXPIRED]
    if lead.status is Status.ACCEPTED:
        return ReferralStatus.ACTIVE, Substatus.ACCEPTED
    return ReferralStatus.NEW, Substatus.PENDING if lead.informational else Substatus.RECEIVED


@dataclass(frozen=True)
class Member:
    """A partner user on the deal's team, as the referral names them."""

    email: str
    name: str

    def person(self) -> dict[str, str]:
        first, _, last = self.name.strip().partition(" ")
        return {"firstName": first, "lastName": last, "email": self.email}


def stamp(value: datetime | None) -> str | None:
    """UTC with a Z, as the vendor writes its dates."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def closing_stamp(value: date | None) -> str | None:
    """The deal's estimated purchase date as the vendor's closingDateTime: midnight UTC of that day."""
    return None if value is None else f"{value.isoformat()}T00:00:00Z"


def referral(lead: Lead, team: Sequence[Member]) -> dict[str, Any]:
    """The whole referral document (expired leads withhold the contact details, as every reader does)."""
    status, substatus = status_of(lead)
    terms = lead.deal.terms if lead.deal else None
    closing = lead.closing
    return {
        "id": lead.id,
        "name": terms.name if terms else lead.customer.company,
        "externalReferenceId": lead.external_id,
        "createdDateTime": stamp(lead.created_at),
        "updatedDateTime": stamp(lead.updated_at or lead.created_at),
        "expirationDateTime": stamp(lead.response_due_at or lead.archive_due_at),
        "acceptedDateTime": stamp(lead.accepted_at),
        "status": status.value,
        "substatus": substatus.value,
        "statusReason": closing.reason.value if closing and closing.reason else None,
        "type": TYPE,
        "qualification": QUALIFICATIONS[lead.origin.qualification],
        "direction": DIRECTION,
        "customerProfile": _customer_profile(lead),
        "consent": {"consentToContact": lead.customer_requested_contact},
        "details": {
            "notes": terms.notes if terms else (closing.notes if closing else lead.message) or None,
            "dealValue": float(terms.value.amount) if terms else None,
            "currency": terms.value.currency if terms else None,
            "closingDateTime": closing_stamp(terms.purchase_date) if terms else None,
        },
        "team": [member.person() for member in team],
        "eTag": lead.etag,
    }


def _customer_profile(lead: Lead) -> dict[str, Any]:
    shown = visible_customer(lead)
    contacts = []
    if any((shown.first_name, shown.last_name, shown.email, shown.phone)):
        contacts.append({"firstName": shown.first_name, "lastName": shown.last_name, "email": shown.email,
                         "phoneNumber": shown.phone})
    if lead.deal is not None and shown.email is not None:  # further contacts the partner added on accepting
        contacts.extend({"firstName": c.first_name, "lastName": c.last_name, "email": c.email,
                         "phoneNumber": c.phone} for c in lead.deal.terms.customer_contacts)
    return {"name": shown.company, "address": {"country": shown.country}, "size": shown.company_size,
            "team": contacts}


def selected(document: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """`$select`: only the fields asked for (all when none)."""
    return {name: document[name] for name in fields} if fields else document
