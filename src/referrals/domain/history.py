"""What happened to a lead: one entry per change, numbered by the lead's version."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from referrals.domain.enums import Action, Outcome, Status


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, or the system (sweeps, ingestion) with a label."""

    user_id: str | None
    label: str

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(None, label)


@dataclass(frozen=True)
class HistoryEntry:
    lead_id: str
    partner_id: str
    version: int
    at: datetime
    actor: Actor
    action: Action
    from_status: Status | None
    to_status: Status
    outcome: Outcome | None
    details: dict[str, Any] = field(default_factory=dict)
