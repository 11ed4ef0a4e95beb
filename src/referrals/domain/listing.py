"""What a partner asks of its lead list: the tab, the filters, the sort and the page."""

from dataclasses import dataclass, field
from enum import StrEnum

from referrals.domain.checks import collecting
from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    QualityLabel,
    Source,
    Status,
)

MAX_PAGE = 200
DEFAULT_PAGE = 50


class Tab(StrEnum):
    MARKETPLACE = "marketplace"
    QUALIFIED = "qualified"
    FAVORITES = "favorites"


class Sort(StrEnum):
    NEWEST = "-created_at"
    OLDEST = "created_at"
    CUSTOMER = "customer"
    QUALITY = "-quality"
    DEADLINE = "response_due_at"
    VALUE = "-estimated_value"

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


@dataclass(frozen=True)
class LeadFilter:
    tab: Tab | None = None
    call_to_action: frozenset[CallToAction] = frozenset()
    country: frozenset[str] = frozenset()
    customer: str = ""
    source: frozenset[Source] = frozenset()
    type: frozenset[LeadType] = frozenset()
    quality: frozenset[QualityLabel] = frozenset()
    status: frozenset[Status] = frozenset()
    outcome: frozenset[Outcome] = frozenset()
    email_validity: frozenset[EmailValidity] = frozenset()
    phone_validity: frozenset[PhoneValidity] = frozenset()
    spam: bool | None = None


@dataclass(frozen=True)
class PageRequest:
    filter: LeadFilter = field(default_factory=LeadFilter)
    sort: Sort = Sort.NEWEST
    limit: int = DEFAULT_PAGE
    cursor: str | None = None

    def __post_init__(self) -> None:
        with collecting("The list request is invalid") as problems:
            if not 1 <= self.limit <= MAX_PAGE:
                problems.add("limit", f"must be between 1 and {MAX_PAGE}")
            if len(self.filter.customer) > 200:
                problems.add("customer", "is longer than 200 characters")
