"""A lead's owner, set by a Referrals admin: assign it to an active user of the partner, or to nobody."""

from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.errors import InvalidInput
from referrals.domain.lead import Lead
from referrals.services.lifecycle import act
from referrals.store import assignment


def _active_member(user_id: str):
    def check(conn: Connection, partner_id: str) -> None:
        if user_id not in assignment.active_users(conn, partner_id, [user_id]):
            raise InvalidInput("The owner must be an active user of your partner.",
                               fields={"user_id": "is not an active user of your partner"})

    return check


def assign_lead(engine: Engine, principal: Principal, lead_id: str, user_id: str, *, now: datetime,
                if_match: str | None = None) -> Lead:
    return act(engine, principal, lead_id, lambda lead: lead.assign(user_id, by=principal.actor, now=now),
               if_match=if_match, check=_active_member(user_id))


def unassign_lead(engine: Engine, principal: Principal, lead_id: str, *, now: datetime,
                  if_match: str | None = None) -> Lead:
    return act(engine, principal, lead_id, lambda lead: lead.assign(None, by=principal.actor, now=now),
               if_match=if_match)


def set_owner(engine: Engine, principal: Principal, lead_id: str, user_id: str | None, *, now: datetime,
              if_match: str | None = None) -> Lead:
    """Assign to `user_id`, or to nobody when it is None (the lead page's one owner form)."""
    if user_id is None:
        return unassign_lead(engine, principal, lead_id, now=now, if_match=if_match)
    return assign_lead(engine, principal, lead_id, user_id, now=now, if_match=if_match)
