"""The few facts about a lead that its time and action rules read, flat: where it is, what kind it is, whether it can
be reached, and its deadlines. A whole `Lead` answers through its `state`, and a list row builds one from its columns,
so the list can ask "how urgent is it?" and "what may this viewer do?" of the same rules without becoming a Lead."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from referrals.domain.access import Principal
from referrals.domain.archiving import EXPIRY, RETIREMENT, TimedArchive
from referrals.domain.enums import (
    LEAD_ACTING_ROLES,
    CallToAction,
    EmailValidity,
    LeadAction,
    LeadType,
    PhoneValidity,
    Status,
    Urgency,
)
from referrals.domain.windows import HOT_WINDOW

MAX_EMPLOYEES = 50  # people a partner may list on one deal


def asks_for_contact(requested: bool, call_to_action: CallToAction | None, lead_type: LeadType | None) -> bool:
    """The customer asked to be contacted: by ticking it, through *Contact me*, or from the business profile (a
    directory request). The `contact_me` filter and the urgency sort ask the same in SQL (store/urgency.py)."""
    return requested or call_to_action is CallToAction.CONTACT_ME or lead_type is LeadType.PROFILE


class Channel(StrEnum):
    """How a partner can reach the customer now: the pages say "call now" or "write now"."""

    PHONE = "phone"
    EMAIL = "email"


# A check that could not decide ("unknown") does not stop anyone from trying; "invalid" (and "spam") does.
USABLE_PHONE = frozenset({PhoneValidity.VALID, PhoneValidity.UNKNOWN})
USABLE_EMAIL = frozenset({EmailValidity.VALID, EmailValidity.UNKNOWN})


def reachable_by(phone: str | None, phone_validity: PhoneValidity,
                 email: str | None, email_validity: EmailValidity) -> Channel | None:
    """A phone that is there and not judged invalid first, else such an email, else nothing to reach them by."""
    if (phone or "").strip() and phone_validity in USABLE_PHONE:
        return Channel.PHONE
    if (email or "").strip() and email_validity in USABLE_EMAIL:
        return Channel.EMAIL
    return None


@dataclass(frozen=True, slots=True)
class LeadState:
    partner_id: str
    status: Status
    informational: bool
    asked_for_contact: bool
    created_at: datetime
    response_due_at: datetime | None
    archive_due_at: datetime | None
    deal_employees: int | None  # None: no deal
    spam: bool  # any spam warning
    channel: Channel | None  # how the customer can be reached (`reachable_by`)

    def due(self, rule: TimedArchive, now: datetime) -> bool:
        return rule.is_due(informational=self.informational, status=self.status,
                           deadline=getattr(self, rule.deadline), now=now)

    def urgency(self, now: datetime) -> Urgency | None:
        """Hot for 72 hours after a customer asked for contact, then waiting until it expires (or retires); only
        for a lead without a spam warning that can be reached by a phone or an email not judged invalid. The urgency
        sort asks the same in SQL (store/urgency.py, held equal by a test)."""
        if not self.asked_for_contact or self.spam or self.channel is None:
            return None
        if self.status is not Status.RECEIVED or self.due(EXPIRY, now) or self.due(RETIREMENT, now):
            return None
        return Urgency.HOT if now < self.created_at + HOT_WINDOW else Urgency.WAITING

    def answerable(self, now: datetime) -> bool:
        return self.status is Status.RECEIVED and not self.informational and not self.due(EXPIRY, now)

    @property
    def deal_open(self) -> bool:
        return self.status is Status.ACCEPTED and self.deal_employees is not None

    def allowed_actions(self, now: datetime, viewer: Principal) -> tuple[LeadAction, ...]:
        """The actions `viewer` may take now: exactly those the Lead's guards would let through. Only the
        partner's own Referrals admins act; everyone else (readers, program staff) gets none."""
        if viewer.partner_id != self.partner_id or not viewer.has(*LEAD_ACTING_ROLES):
            return ()
        if self.answerable(now):
            return (LeadAction.ACCEPT, LeadAction.DECLINE, LeadAction.ASSIGN)
        if self.deal_open:
            more = (LeadAction.ADD_EMPLOYEE,) if self.deal_employees < MAX_EMPLOYEES else ()  # type: ignore[operator]
            return (LeadAction.EDIT_DEAL, *more, LeadAction.CLOSE, LeadAction.ASSIGN)
        return ()
