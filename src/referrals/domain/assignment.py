"""Who gets a new lead (PRODUCT.md section 8a): each partner location hands out its new actionable leads by a rule.

- `manual`: nobody; an admin assigns.
- `round_robin`: the members in turn. The next owner is the eligible member assigned least recently (a member
  never assigned first, in list order), so over any run of leads the members' counts differ by at most one.
- `least_loaded`: the eligible member with the fewest open (received or accepted) leads they own across the
  partner; ties go to the member assigned least recently.
Both skip deactivated members and members holding `max_open_per_member` open leads. When nobody is eligible the
lead stays unowned and the caller tells the partner's admins.

"Least recently" is an assignment counter, not a time: a batch of leads arriving with one `now` cannot tie.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from referrals.domain.checks import collecting

MAX_MEMBERS = 200


class AssignmentMode(StrEnum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


@dataclass(frozen=True)
class AssignmentRule:
    mode: AssignmentMode = AssignmentMode.MANUAL
    members: tuple[str, ...] = ()  # user ids, in the order round robin takes them
    max_open_per_member: int | None = None


@dataclass(frozen=True)
class Candidate:
    """A member as the rule weighs them at one moment."""

    user_id: str
    position: int
    last_sequence: int  # the counter value of their latest assignment; 0 = never
    open_leads: int
    active: bool = True


def check_rule(rule: AssignmentRule, *, known_members: set[str]) -> None:
    """`known_members`: which of the rule's members are active users of the partner."""
    with collecting("The assignment rule is invalid") as problems:
        if not isinstance(rule.mode, AssignmentMode):
            problems.add("mode", "must be manual, round_robin or least_loaded")
        if len(set(rule.members)) != len(rule.members):
            problems.add("members", "lists a user twice")
        elif len(rule.members) > MAX_MEMBERS:
            problems.add("members", f"holds at most {MAX_MEMBERS} users")
        elif unknown := [m for m in rule.members if m not in known_members]:
            problems.add("members", f"must be active users of your partner; not: {', '.join(unknown)}")
        elif rule.mode is not AssignmentMode.MANUAL and not rule.members:
            problems.add("members", "needs at least one user for round_robin and least_loaded")
        cap = rule.max_open_per_member
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            problems.add("max_open_per_member", "must be a whole number of at least 1, or null for no limit")


def eligible(rule: AssignmentRule, candidates: Sequence[Candidate]) -> list[Candidate]:
    cap = rule.max_open_per_member
    return [c for c in candidates if c.active and (cap is None or c.open_leads < cap)]


def pick(rule: AssignmentRule, candidates: Sequence[Candidate]) -> Candidate | None:
    """The member who gets the next lead, or None (manual, no members, or everyone at capacity)."""
    if rule.mode is AssignmentMode.MANUAL:
        return None
    pool = eligible(rule, candidates)
    if not pool:
        return None
    if rule.mode is AssignmentMode.ROUND_ROBIN:
        return min(pool, key=lambda c: (c.last_sequence, c.position))
    return min(pool, key=lambda c: (c.open_leads, c.last_sequence, c.position))


def after_pick(candidates: Sequence[Candidate], chosen: Candidate, sequence: int) -> list[Candidate]:
    """The candidates once `chosen` got the lead numbered `sequence`: one more open lead, assigned last."""
    return [replace(c, last_sequence=sequence, open_leads=c.open_leads + 1) if c.user_id == chosen.user_id else c
            for c in candidates]
