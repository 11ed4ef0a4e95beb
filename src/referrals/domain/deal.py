"""The deal a partner works once it accepts a lead: its terms, people and value."""

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from referrals.domain.checks import collecting
from referrals.domain.currencies import CURRENCIES

MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class CustomerContact:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    title: str = ""


@dataclass(frozen=True)
class Employee:
    """One of the partner's own people working the deal (not necessarily a user of the workspace)."""

    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class DealTerms:
    name: str
    value: Money
    team_member_ids: tuple[str, ...]
    purchase_date: date
    notes: str
    campaign_id: str = ""
    crm_id: str = ""
    customer_contacts: tuple[CustomerContact, ...] = ()


TERM_FIELDS = frozenset(f.name for f in fields(DealTerms))


@dataclass(frozen=True)
class Deal:
    terms: DealTerms
    employees: tuple[Employee, ...] = field(default_factory=tuple)


def action_day(now: datetime, zone: str) -> date:
    """The day of an action where the partner is: the earliest estimated purchase date it may give."""
    return now.astimezone(ZoneInfo(zone)).date()


def check_terms(terms: DealTerms, *, earliest_purchase: date | None = None) -> DealTerms:
    """Every rule a deal's terms must meet, whether accepted or edited later. `earliest_purchase` (the day of the
    action in the partner's time zone) is given when the purchase date is being set: a deal whose date has passed
    may still be edited otherwise."""
    with collecting("The deal is incomplete or invalid") as problems:
        problems.require_text("deal_name", terms.name, max_length=200)
        amount = terms.value.amount
        if not isinstance(amount, Decimal) or not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
            problems.add("estimated_value.amount", "must be a number between 0 and 999,999,999,999.99")
        if terms.value.currency not in CURRENCIES:
            problems.add("estimated_value.currency", f"{terms.value.currency!r} is not an ISO 4217 code")
        if not terms.team_member_ids:
            problems.add("team_member_ids", "needs at least one team member")
        for index, member_id in enumerate(terms.team_member_ids):
            problems.check_text(f"team_member_ids[{index}]", member_id)
        if not isinstance(terms.purchase_date, date):
            problems.add("estimated_purchase_date", "is required")
        elif earliest_purchase is not None and terms.purchase_date < earliest_purchase:
            problems.add("estimated_purchase_date", f"must be on or after {earliest_purchase.isoformat()}, "
                                                    "the day of the action where the partner is")
        problems.require_text("notes", terms.notes, max_length=4000, multiline=True)
        problems.limit_text("campaign_id", terms.campaign_id, max_length=100)
        problems.limit_text("crm_id", terms.crm_id, max_length=100)
        for index, contact in enumerate(terms.customer_contacts):
            prefix = f"customer_contacts[{index}]"
            problems.require_text(f"{prefix}.first_name", contact.first_name, max_length=100)
            problems.require_text(f"{prefix}.last_name", contact.last_name, max_length=100)
            problems.require_email(f"{prefix}.email", contact.email)
            problems.limit_text(f"{prefix}.phone", contact.phone, max_length=50)
            problems.limit_text(f"{prefix}.title", contact.title, max_length=200)
        if len(terms.customer_contacts) > 20:
            problems.add("customer_contacts", "holds at most 20 contacts")
    return terms


def check_employee(employee: Employee) -> Employee:
    with collecting("The employee is incomplete or invalid") as problems:
        problems.require_text("name", employee.name, max_length=200)
        problems.require_email("email", employee.email)
        problems.limit_text("phone", employee.phone, max_length=50)
    return employee


def amend_terms(terms: DealTerms, changes: dict[str, Any], *, today: date | None = None) -> DealTerms:
    """The terms with `changes`; a changed purchase date must not be before `today` (the partner's)."""
    unknown = set(changes) - TERM_FIELDS
    if unknown:
        with collecting("Unknown deal fields") as problems:
            for name in sorted(unknown):
                problems.add(name, "is not a deal field")
    moved = "purchase_date" in changes and changes["purchase_date"] != terms.purchase_date
    return check_terms(replace(terms, **changes), earliest_purchase=today if moved else None)
