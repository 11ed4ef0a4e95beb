"""The partner's actions on a lead: accept, decline, edit the deal, add an employee, close.

Each loads the lead within the caller's partner, applies the domain's transition, and saves it (with its
outbox rows, in one transaction) only if nobody changed the lead meanwhile. `quiet` is for transitions that lie in
the past (history imports, back-fills): saved and recorded the same, but nobody is told (no email, no webhook).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.deal import DealTerms, Employee
from referrals.domain.enums import Outcome, Reason
from referrals.domain.errors import InvalidInput, PreconditionFailed
from referrals.domain.history import HistoryEntry
from referrals.domain.lead import Lead
from referrals.services import notifications
from referrals.store import assignment, partners
from referrals.store.db import reading, writing
from referrals.store.leads import load_lead, save_transition

Transition = Callable[[Lead], HistoryEntry]


def act(
    engine: Engine, principal: Principal, lead_id: str, transition: Transition, *, if_match: str | None,
    check: Callable[[Connection, str], None] | None = None, quiet: bool = False,
) -> Lead:
    partner_id = principal.partner_scope(acting=True)
    # Optimistic: read, decide, then write only if the version is still the one read. Loading inside the
    # write transaction would let SQLite's BEGIN IMMEDIATE serialise a race into "already accepted"
    # (InvalidTransition) where PostgreSQL answers Conflict; this way the loser gets Conflict on both.
    with reading(engine) as conn:
        lead = load_lead(conn, partner_id, lead_id)
    if if_match is not None and if_match.strip() not in (lead.etag, "*"):
        raise PreconditionFailed("The lead changed since you read it (If-Match does not match its etag).")
    entry = transition(lead)
    with writing(engine) as conn:
        if check is not None:
            check(conn, partner_id)
        save_transition(conn, lead, entry)
        if not quiet:
            notifications.on_transition(conn, lead, entry)
    return lead


def _team_of_partner(team_member_ids: tuple[str, ...]) -> Callable[[Connection, str], None]:
    def check(conn: Connection, partner_id: str) -> None:
        found = assignment.active_users(conn, partner_id, team_member_ids)  # a deactivated user joins no deal
        missing = [m for m in team_member_ids if m not in found]
        if missing:
            raise InvalidInput(
                f"Team members must be users of your partner; unknown: {', '.join(missing)}",
                fields={"team_member_ids": "contains users who are not in your partner"},
            )

    return check


def partner_zone(engine: Engine, principal: Principal) -> str:
    """The acting partner's time zone: deal dates are checked against its day."""
    with reading(engine) as conn:
        return partners.load(conn, principal.partner_scope(acting=True)).timezone


def accept_lead(engine: Engine, principal: Principal, lead_id: str, terms: DealTerms, *, now: datetime,
                if_match: str | None = None, quiet: bool = False) -> Lead:
    zone = partner_zone(engine, principal)
    return act(engine, principal, lead_id, lambda lead: lead.accept(terms, by=principal.actor, now=now, zone=zone),
                if_match=if_match, check=_team_of_partner(terms.team_member_ids), quiet=quiet)


def decline_lead(engine: Engine, principal: Principal, lead_id: str, reason: Reason, notes: str, *,
                 now: datetime, if_match: str | None = None, quiet: bool = False) -> Lead:
    return act(engine, principal, lead_id,
                lambda lead: lead.decline(reason, notes, by=principal.actor, now=now), if_match=if_match, quiet=quiet)


def edit_deal(engine: Engine, principal: Principal, lead_id: str, changes: dict[str, Any], *, now: datetime,
              if_match: str | None = None, quiet: bool = False) -> Lead:
    team, zone = changes.get("team_member_ids"), partner_zone(engine, principal)
    return act(engine, principal, lead_id,
                lambda lead: lead.edit_deal(changes, by=principal.actor, now=now, zone=zone), if_match=if_match,
                check=_team_of_partner(tuple(team)) if team else None, quiet=quiet)


def add_deal_employee(engine: Engine, principal: Principal, lead_id: str, employee: Employee, *,
                      now: datetime, if_match: str | None = None) -> Lead:
    return act(engine, principal, lead_id,
                lambda lead: lead.add_employee(employee, by=principal.actor, now=now), if_match=if_match)


def close_lead(engine: Engine, principal: Principal, lead_id: str, outcome: Outcome, reason: Reason | None,
               notes: str, *, now: datetime, if_match: str | None = None, quiet: bool = False) -> Lead:
    return act(engine, principal, lead_id,
                lambda lead: lead.close(outcome, reason, notes, by=principal.actor, now=now),
                if_match=if_match, quiet=quiet)
