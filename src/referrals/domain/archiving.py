"""The lifecycle's time rules, declared once: which leads archive themselves when a deadline passes, from which
status, to which outcome, with which history action, and whether their referrer is told.

`Lead.expire`/`Lead.retire` apply a rule to one lead; the sweep's set-based SQL (store/sweep.py) is generated
from the same declaration, so the two cannot disagree. What an archived lead withholds follows from its outcome
(`lead.withholds_contact`)."""

from dataclasses import dataclass
from datetime import datetime

from referrals.domain.enums import Action, Outcome, Status


@dataclass(frozen=True)
class TimedArchive:
    action: Action  # the history entry it writes
    deadline: str  # the Lead attribute (and leads column) holding the deadline; set only for leads of its kind
    informational: bool  # the kind of lead it applies to
    from_status: Status
    outcome: Outcome
    tells_referrer: bool
    explanation: str  # the refusal when a lead does not qualify

    def is_due(self, *, informational: bool, status: Status, deadline: datetime | None, now: datetime) -> bool:
        return (informational is self.informational and status is self.from_status
                and deadline is not None and now >= deadline)


EXPIRY = TimedArchive(
    Action.EXPIRED, "response_due_at", informational=False, from_status=Status.RECEIVED, outcome=Outcome.EXPIRED,
    tells_referrer=True, explanation="Only an unanswered actionable lead past its deadline can expire.",
)
RETIREMENT = TimedArchive(
    Action.RETIRED, "archive_due_at", informational=True, from_status=Status.RECEIVED, outcome=Outcome.EXPIRED,
    tells_referrer=False, explanation="Only an informational lead six months old can be retired.",
)
TIMED_ARCHIVES = (EXPIRY, RETIREMENT)  # in the order the sweep runs them
ARCHIVED = Status.ARCHIVED  # where every timed rule ends
