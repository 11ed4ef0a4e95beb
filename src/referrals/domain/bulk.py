"""Bulk actions: one action on many leads, each lead judged by the same guard as the single action, on its own.

What may be done in bulk, by whom, with which parameters, and how many leads at once: up to `AT_ONCE` the answer
comes with the request; more (only by a filter) become a job of at most `MOST` leads, run by the job queue.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from referrals.domain.checks import collecting
from referrals.domain.enums import Reason

AT_ONCE = 1_000  # leads acted on within the request; the most `ids` a request may name
MOST = 100_000  # leads one bulk action by filter may reach (a job)
LEASE = timedelta(minutes=2)  # a job's run holds it this long, renewed after every chunk of leads
CHUNK = 200  # leads loaded in one read; each is then written in its own transaction


class BulkAction(StrEnum):
    DECLINE = "decline"
    FAVORITE = "favorite"
    UNFAVORITE = "unfavorite"
    ASSIGN = "assign"
    UNASSIGN = "unassign"

    @property
    def acting(self) -> bool:
        """Needs a Referrals admin (it changes the lead); hearts are each user's own, any partner user may."""
        return self in ACTING_BULK_ACTIONS


ACTING_BULK_ACTIONS = frozenset({BulkAction.DECLINE, BulkAction.ASSIGN, BulkAction.UNASSIGN})


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class BulkParams:
    """The action's own parameters: decline takes a reason and notes, assign a user; the others none."""

    reason: Reason | None = None
    notes: str = ""
    user_id: str | None = None

    def check(self, action: BulkAction) -> None:
        """Refuse the whole request when the action's parameters are missing, naming each (`params.reason`...):
        otherwise every lead would fail with the same problem. The values themselves are judged per lead by the
        single action's guard."""
        with collecting("The bulk action's parameters are incomplete") as problems:
            if action is BulkAction.DECLINE:
                if not isinstance(self.reason, Reason):
                    problems.add("params.reason", "is required to decline")
                if not self.notes.strip():
                    problems.add("params.notes", "is required to decline")
            if action is BulkAction.ASSIGN and not self.user_id:
                problems.add("params.user_id", "is required to assign")

    def to_json(self) -> dict:
        return {"reason": self.reason.value if self.reason else None, "notes": self.notes, "user_id": self.user_id}

    @classmethod
    def from_json(cls, shape: dict) -> "BulkParams":
        reason = shape.get("reason")
        return cls(Reason(reason) if reason else None, shape.get("notes") or "", shape.get("user_id"))


def distinct(ids: list[str]) -> list[str]:
    """The ids in their order, each once: a lead named twice is acted on once."""
    return list(dict.fromkeys(ids))
