"""How each location hands out its new leads: read by the partner's users, set by its Referrals admins."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from referrals.domain.assignment import MAX_MEMBERS, AssignmentMode, AssignmentRule
from referrals.services import assignment
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.schemas_in import Strict
from referrals.web.deps import EngineDep, LeadAdmin, Now, PartnerMember

router = APIRouter(prefix="/partner/locations/{location_id}/assignment", tags=["people"], responses=AUTHED)

_MODE = Field(description="manual: nobody (admins assign); round_robin: the members in turn; least_loaded: the "
                          "member with the fewest open leads, ties to the one assigned least recently")
_MEMBERS = "Active users of the partner, in the order round robin takes them"
_CAP = Field(description="A member holding this many open (received or accepted) leads gets no more; null: no limit")


class AssignmentPublic(BaseModel):
    location_id: str
    mode: Literal["manual", "round_robin", "least_loaded"] = _MODE
    members: list[str] = Field(description=_MEMBERS)
    max_open_per_member: int | None = _CAP


class SetAssignment(Strict):
    mode: Literal["manual", "round_robin", "least_loaded"] = _MODE
    members: list[str] = Field(default=[], max_length=MAX_MEMBERS, description=_MEMBERS)
    max_open_per_member: int | None = Field(default=None, ge=1, le=100000, description=_CAP.description)


def _public(location_id: str, rule: AssignmentRule) -> AssignmentPublic:
    return AssignmentPublic(location_id=location_id, mode=rule.mode.value, members=list(rule.members),
                            max_open_per_member=rule.max_open_per_member)


@router.get("", response_model=AssignmentPublic, responses=problems(404))
def read(location_id: str, principal: PartnerMember, engine: EngineDep) -> AssignmentPublic:
    """The location's rule (manual when none was set)."""
    return _public(location_id, assignment.read_rule(engine, principal, location_id))


@router.put("", response_model=AssignmentPublic, responses=problems(404, 422))
def write(location_id: str, body: SetAssignment, principal: LeadAdmin, engine: EngineDep,
          now: Now) -> AssignmentPublic:
    """Set the location's rule; it applies to leads arriving from now on. Members who stay keep their turn."""
    rule = AssignmentRule(AssignmentMode(body.mode), tuple(body.members), body.max_open_per_member)
    return _public(location_id, assignment.set_rule(engine, principal, location_id, rule, now=now))
