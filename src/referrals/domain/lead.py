"""The lead and its lifecycle (PRODUCT.md sections 2 and 3).

Every transition checks its own preconditions, changes the lead, bumps its version and returns the
history entry it produced. Nothing outside this module writes a status or an outcome, except the set-based
sweep, whose SQL (store/sweep.py) is generated from the same time rules (domain/archiving.py) that `expire` and
`retire` apply here.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from referrals.domain.access import Principal
from referrals.domain.archiving import ARCHIVED, EXPIRY, RETIREMENT, TimedArchive
from referrals.domain.checks import collecting, is_country_code
from referrals.domain.deal import (
    Deal,
    DealTerms,
    Employee,
    action_day,
    amend_terms,
    check_employee,
    check_terms,
)
from referrals.domain.enums import (
    INFORMATIONAL_CALLS_TO_ACTION,
    Action,
    CallToAction,
    EmailValidity,
    LeadAction,
    LeadType,
    Outcome,
    PhoneValidity,
    Qualification,
    QualityLabel,
    Reason,
    ReferrerKind,
    Source,
    Status,
    Urgency,
)
from referrals.domain.errors import InvalidTransition
from referrals.domain.history import Actor, HistoryEntry
from referrals.domain.lead_state import MAX_EMPLOYEES, LeadState, asks_for_contact, reachable_by
from referrals.domain.quality_words import Factor
from referrals.domain.vocab import CompanySize, Industry
from referrals.domain.windows import informational_archive_at, response_due_at


@dataclass(frozen=True)
class Customer:
    company: str = ""
    first_name: str | None = ""  # None only when withheld (see visible_customer)
    last_name: str | None = ""
    title: str | None = ""
    email: str | None = ""
    phone: str | None = ""
    country: str | None = None
    company_size: str | None = None
    industry: str | None = None


@dataclass(frozen=True)
class Quality:
    label: QualityLabel
    probability: float
    factors: tuple[Factor, ...] = ()  # the main reasons, each raising or lowering the chance


@dataclass(frozen=True)
class Screening:
    """What the contact checks and the quality model said when the lead arrived."""

    email_validity: EmailValidity = EmailValidity.UNKNOWN
    phone_validity: PhoneValidity = PhoneValidity.UNKNOWN
    spam_reasons: tuple[str, ...] = ()
    quality: Quality = Quality(QualityLabel.LOW, 0.0)


@dataclass(frozen=True)
class Origin:
    """Where a lead came from: its kind, source, call to action, offer and referrer."""

    qualification: Qualification
    source: Source
    type: LeadType | None = None
    call_to_action: CallToAction | None = None
    offer_id: str = ""
    offer_title: str = ""
    referrer_kind: ReferrerKind = ReferrerKind.MARKETPLACE
    referrer_id: str | None = None
    referrer_email: str = ""

    @property
    def informational(self) -> bool:
        """Get it now, Free trial and Test drive offer leads need no response."""
        return self.type is LeadType.OFFER and self.call_to_action in INFORMATIONAL_CALLS_TO_ACTION


@dataclass(frozen=True)
class Closing:
    """Why a lead was declined or its deal closed."""

    reason: Reason | None
    notes: str


@dataclass
class Lead:
    id: str
    partner_id: str
    location_id: str
    origin: Origin
    customer: Customer
    message: str
    customer_requested_contact: bool
    created_at: datetime
    status: Status = Status.RECEIVED
    outcome: Outcome | None = None
    response_due_at: datetime | None = None
    archive_due_at: datetime | None = None
    accepted_at: datetime | None = None
    archived_at: datetime | None = None
    deal: Deal | None = None
    closing: Closing | None = None
    screening: Screening = field(default_factory=Screening)
    is_test: bool = False
    external_id: str | None = None
    owner_id: str | None = None  # an active user of the partner (the service checks it), or nobody
    version: int = 1
    updated_at: datetime | None = None  # the last change: its arrival, then every transition (None: created_at)

    # -- what the lead is -------------------------------------------------------------------------

    @property
    def informational(self) -> bool:
        return self.origin.informational

    @property
    def actionable(self) -> bool:
        return not self.origin.informational

    @property
    def asked_for_contact(self) -> bool:
        return asks_for_contact(self.customer_requested_contact, self.origin.call_to_action, self.origin.type)

    @property
    def etag(self) -> str:
        return f'"{self.id}.{self.version}"'

    # -- transitions ------------------------------------------------------------------------------

    def accept(self, terms: DealTerms, *, by: Actor, now: datetime, zone: str = "UTC") -> HistoryEntry:
        """`zone` is the partner's time zone: the purchase date may not be before the day of the action there."""
        self._require_answerable("accept", now)
        check_terms(terms, earliest_purchase=action_day(now, zone))
        self.deal = Deal(terms)
        self.accepted_at = now
        return self._move(Status.ACCEPTED, None, Action.ACCEPTED, by, now, {"deal_name": terms.name})

    def decline(self, reason: Reason, notes: str, *, by: Actor, now: datetime) -> HistoryEntry:
        self._require_answerable("decline", now)
        with collecting("The decline is incomplete") as problems:
            if not isinstance(reason, Reason):
                problems.add("reason", "is required")
            problems.require_text("notes", notes, max_length=4000, multiline=True)
        self.closing = Closing(reason, notes)
        self.archived_at = now
        return self._move(Status.ARCHIVED, Outcome.DECLINED, Action.DECLINED, by, now, {"reason": reason})

    def edit_deal(self, changes: dict[str, Any], *, by: Actor, now: datetime, zone: str = "UTC") -> HistoryEntry:
        """A changed purchase date may not be before the day of the edit in the partner's `zone`; other edits of a
        deal whose date has passed stay allowed."""
        deal = self._require_open_deal("edit the deal of")
        self.deal = replace(deal, terms=amend_terms(deal.terms, changes, today=action_day(now, zone)))
        return self._move(Status.ACCEPTED, None, Action.DEAL_EDITED, by, now, {"fields": sorted(changes)})

    def add_employee(self, employee: Employee, *, by: Actor, now: datetime) -> HistoryEntry:
        deal = self._require_open_deal("add an employee to")
        check_employee(employee)
        if len(deal.employees) >= MAX_EMPLOYEES:
            raise InvalidTransition(f"A deal holds at most {MAX_EMPLOYEES} employees.")
        self.deal = replace(deal, employees=(*deal.employees, employee))
        return self._move(Status.ACCEPTED, None, Action.EMPLOYEE_ADDED, by, now, {"name": employee.name})

    def close(
        self, outcome: Outcome, reason: Reason | None, notes: str, *, by: Actor, now: datetime
    ) -> HistoryEntry:
        self._require_open_deal("close")
        with collecting("The closing is incomplete") as problems:
            if outcome not in (Outcome.WON, Outcome.LOST):
                problems.add("outcome", "must be won or lost")
            if outcome is Outcome.LOST and not isinstance(reason, Reason):
                problems.add("reason", "is required when the deal is lost")
            problems.limit_text("notes", notes, max_length=4000, multiline=True)
            if outcome is Outcome.LOST and reason is Reason.OTHER:
                problems.require_text("notes", notes, max_length=4000, multiline=True)
        self.closing = Closing(reason, notes)
        self.archived_at = now
        action = Action.WON if outcome is Outcome.WON else Action.LOST
        details = {"reason": reason} if reason else {}
        return self._move(Status.ARCHIVED, outcome, action, by, now, details)

    def assign(self, owner_id: str | None, *, by: Actor, now: datetime, why: str = "") -> HistoryEntry:
        """Give the lead an owner (`None`: nobody). Only a lead still being worked has one: informational leads
        need no response, and an archived lead is read-only. `why` says what moved it when it was not a person
        (an assignment rule, a deactivated owner)."""
        self._require_not_archived("assign")
        if self.informational:
            raise InvalidTransition(
                f"Cannot assign this lead: {self.origin.call_to_action} leads are informational and have no owner."
            )
        if self.expiry_due(now):
            raise InvalidTransition("Cannot assign this lead: its response deadline has passed.")
        previous, self.owner_id = self.owner_id, owner_id
        details: dict[str, Any] = {"previous_owner_id": previous}
        if why:
            details["why"] = why
        if owner_id is None:
            return self._move(self.status, self.outcome, Action.UNASSIGNED, by, now, details)
        return self._move(self.status, self.outcome, Action.ASSIGNED, by, now, {"owner_id": owner_id, **details})

    def expire(self, *, now: datetime) -> HistoryEntry:
        """An actionable lead nobody answered within the response window."""
        return self._archive_by_time(EXPIRY, now)

    def retire(self, *, now: datetime) -> HistoryEntry:
        """An informational lead reaches the end of its six months."""
        return self._archive_by_time(RETIREMENT, now)

    def _archive_by_time(self, rule: TimedArchive, now: datetime) -> HistoryEntry:
        if not self.state.due(rule, now):
            raise InvalidTransition(rule.explanation)
        self.archived_at = now
        return self._move(ARCHIVED, rule.outcome, rule.action, Actor.system(), now, {})

    # -- time rules and what may be done (domain/lead_state.py) --------------------------------------

    @property
    def state(self) -> LeadState:
        s, c = self.screening, self.customer
        return LeadState(self.partner_id, self.status, self.informational, self.asked_for_contact, self.created_at,
                         self.response_due_at, self.archive_due_at,
                         None if self.deal is None else len(self.deal.employees),
                         bool(s.spam_reasons), reachable_by(c.phone, s.phone_validity, c.email, s.email_validity))

    def expiry_due(self, now: datetime) -> bool:
        return self.state.due(EXPIRY, now)

    def retirement_due(self, now: datetime) -> bool:
        return self.state.due(RETIREMENT, now)

    def urgency(self, now: datetime) -> Urgency | None:
        return self.state.urgency(now)

    def allowed_actions(self, now: datetime, viewer: Principal) -> tuple[LeadAction, ...]:
        return self.state.allowed_actions(now, viewer)

    # -- guards -----------------------------------------------------------------------------------

    def _require_not_archived(self, verb: str) -> None:
        if self.status is Status.ARCHIVED:
            raise InvalidTransition(
                f"Cannot {verb} this lead: it is archived ({self.outcome}) and read-only."
            )

    def _require_answerable(self, verb: str, now: datetime) -> None:
        self._require_not_archived(verb)
        if self.informational:
            raise InvalidTransition(
                f"Cannot {verb} this lead: {self.origin.call_to_action} leads are informational "
                "and need no response."
            )
        if self.status is not Status.RECEIVED:
            raise InvalidTransition(f"Cannot {verb} this lead: it was already {self.status}.")
        if self.expiry_due(now):
            raise InvalidTransition(f"Cannot {verb} this lead: its response deadline has passed.")

    def _require_open_deal(self, verb: str) -> Deal:
        self._require_not_archived(verb)
        if not self.state.deal_open or self.deal is None:
            raise InvalidTransition(f"Cannot {verb} this lead: it has not been accepted.")
        return self.deal

    def _move(
        self,
        to_status: Status,
        outcome: Outcome | None,
        action: Action,
        by: Actor,
        now: datetime,
        details: dict[str, Any],
    ) -> HistoryEntry:
        from_status = self.status
        self.status, self.outcome = to_status, outcome
        self.version += 1
        self.updated_at = now
        return HistoryEntry(
            self.id, self.partner_id, self.version, now, by, action, from_status, to_status, outcome, details
        )


def receive(
    *,
    id: str,
    partner_id: str,
    location_id: str,
    origin: Origin,
    customer: Customer,
    message: str,
    customer_requested_contact: bool,
    now: datetime,
    screening: Screening | None = None,
    is_test: bool = False,
    external_id: str | None = None,
    by: Actor | None = None,
) -> tuple[Lead, HistoryEntry]:
    """A new lead, its deadlines set from its kind, and the history entry that records its arrival."""
    check_origin(origin)
    check_customer(customer, message)
    lead = Lead(
        id=id,
        partner_id=partner_id,
        location_id=location_id,
        origin=origin,
        customer=customer,
        message=message,
        customer_requested_contact=customer_requested_contact,
        created_at=now,
        screening=screening or Screening(),
        is_test=is_test,
        external_id=external_id,
        updated_at=now,
    )
    if lead.informational:
        lead.archive_due_at = informational_archive_at(now)
    else:
        lead.response_due_at = response_due_at(now)
    entry = HistoryEntry(
        id, partner_id, 1, now, by or Actor.system(origin.referrer_kind), Action.RECEIVED,
        None, Status.RECEIVED, None, {"source": origin.source},
    )
    return lead, entry


def check_origin(origin: Origin) -> None:
    with collecting("The lead's origin is inconsistent") as problems:
        if origin.qualification is Qualification.DIRECT:
            if origin.type is None:
                problems.add("type", "is required for marketplace leads (offer or profile)")
            elif origin.type is LeadType.OFFER and origin.call_to_action is None:
                problems.add("call_to_action", "is required for offer leads")
            elif origin.type is LeadType.PROFILE and origin.call_to_action is not None:
                problems.add("call_to_action", "applies to offer leads only")
        else:
            if origin.type is not None:
                problems.add("type", "must be omitted for qualified leads")
            if origin.call_to_action is not None:
                problems.add("call_to_action", "applies to offer leads only")
        problems.limit_text("offer.id", origin.offer_id, max_length=200)
        problems.limit_text("offer.title", origin.offer_title, max_length=300)


_SIZES = frozenset(CompanySize)
_INDUSTRIES = frozenset(Industry)


def check_customer(customer: Customer, message: str) -> None:
    """Only what makes a lead unusable is refused; a malformed email or phone is kept and judged later."""
    with collecting("The customer record is invalid") as problems:
        if not any((part or "").strip() for part in (customer.company, customer.email, customer.last_name)):
            problems.add("customer", "needs at least a company, a last name or an email")
        for name in ("company", "first_name", "last_name", "title", "email", "phone"):
            problems.limit_text(f"customer.{name}", getattr(customer, name), max_length=320)
        if customer.country is not None and not is_country_code(customer.country):
            problems.add("customer.country", f"{customer.country!r} is not an ISO 3166 alpha-2 code")
        if customer.company_size is not None and customer.company_size not in _SIZES:
            problems.add("customer.company_size", f"{customer.company_size!r} is not a size band")
        if customer.industry is not None and customer.industry not in _INDUSTRIES:
            problems.add("customer.industry", f"{customer.industry!r} is not a known industry")
        problems.limit_text("message", message, max_length=10000, multiline=True)


def withholds_contact(outcome: Outcome | str | None) -> bool:
    """The rule itself: a lead that ended expired shows no contact details (names, title, email, phone).

    Readers holding a Lead use `visible_customer`; the streaming export, which formats database rows
    without building Leads, asks this directly.
    """
    return outcome == Outcome.EXPIRED


def visible_customer(lead: Lead) -> Customer:
    """The customer as readers may see it: an expired lead no longer shows contact details.

    Every reader (API, pages, emails) goes through this one function, and the export through its rule.
    """
    if withholds_contact(lead.outcome):
        return replace(lead.customer, first_name=None, last_name=None, email=None, phone=None, title=None)
    return lead.customer
