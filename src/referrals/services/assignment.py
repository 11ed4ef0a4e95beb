"""Handing leads to owners by each location's rule (domain/assignment.py): new leads as they arrive, in the
transaction that creates them, and the open leads of a deactivated user. Reading and changing a rule."""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.assignment import AssignmentRule, Candidate, after_pick, check_rule, pick
from referrals.domain.errors import InvalidTransition, NotFound
from referrals.domain.history import Actor, HistoryEntry
from referrals.domain.lead import Lead
from referrals.services import notifications
from referrals.store import assignment as rules
from referrals.store import partners
from referrals.store.db import reading, writing
from referrals.store.leads import load_lead, save_transition

SYSTEM = Actor.system("assignment")


class Assigner:
    """Picks the owners of new leads within one write transaction: each location's rule is read (and, on
    PostgreSQL, locked) once, and the picks are counted in memory so a batch stays fair; `finish` stores the
    counters and tells admins about leads nobody could take."""

    def __init__(self, conn: Connection, now: datetime):
        self.conn, self.now = conn, now
        self._places: dict[tuple[str, str], tuple[AssignmentRule, int, list[Candidate]] | None] = {}
        self._picked: dict[tuple[str, str], dict[str, int]] = {}
        self._unowned: list[tuple[Lead, int]] = []

    def owner_for(self, lead: Lead) -> str | None:
        place = (lead.partner_id, lead.location_id)
        if place not in self._places:
            self._places[place] = rules.load_turn(self.conn, *place)
        state = self._places[place]
        if state is None or not state[0].members:
            return None
        rule, sequence, candidates = state
        chosen = pick(rule, candidates)
        if chosen is None:
            if rule.mode.value != "manual":
                self._unowned.append((lead, rule.max_open_per_member or 0))
            return None
        sequence += 1
        self._places[place] = (rule, sequence, after_pick(candidates, chosen, sequence))
        self._picked.setdefault(place, {})[chosen.user_id] = sequence
        return chosen.user_id

    def assign_new(self, lead: Lead, entry: HistoryEntry) -> HistoryEntry:
        """Give a new actionable lead its owner; the arrival's history entry records it."""
        if lead.informational:
            return entry
        owner = self.owner_for(lead)
        if owner is None:
            return entry
        lead.owner_id = owner
        rule = self._places[(lead.partner_id, lead.location_id)][0]  # type: ignore[index]
        return replace(entry, details={**entry.details, "owner_id": owner, "rule": rule.mode.value})

    def finish(self) -> None:
        for place, picks in self._picked.items():
            rules.record(self.conn, *place, picks.items())
        for lead, cap in self._unowned:
            notifications.on_team_at_capacity(self.conn, lead, cap, self.now)
        self._picked, self._unowned = {}, []


def release_owned(conn: Connection, partner_id: str, user_id: str, *, now: datetime) -> int:
    """Hand a (just deactivated) user's open leads back to their location's rule, or leave them unowned, each
    with a history entry. Runs in the caller's transaction; returns how many leads moved."""
    assigner = Assigner(conn, now)
    moved = 0
    for lead_id in rules.owned_open_leads(conn, partner_id, user_id):
        lead = load_lead(conn, partner_id, lead_id)
        try:
            entry = lead.assign(assigner.owner_for(lead), by=SYSTEM, now=now, why="owner_deactivated")
        except InvalidTransition:  # past its deadline, not swept yet: it expires in the next sweep
            continue
        save_transition(conn, lead, entry)
        notifications.on_transition(conn, lead, entry)
        moved += 1
    assigner.finish()
    return moved


def read_rule(engine: Engine, principal: Principal, location_id: str) -> AssignmentRule:
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        _require_location(conn, partner_id, location_id)
        stored = rules.load_rule(conn, partner_id, location_id)
    return AssignmentRule() if stored is None else stored


def set_rule(engine: Engine, principal: Principal, location_id: str, rule: AssignmentRule, *,
             now: datetime) -> AssignmentRule:
    partner_id = principal.partner_scope(acting=True)
    with writing(engine) as conn:
        _require_location(conn, partner_id, location_id)
        check_rule(rule, known_members=rules.active_users(conn, partner_id, rule.members))
        rules.save_rule(conn, partner_id, location_id, rule, now)
    return rule


def _require_location(conn: Connection, partner_id: str, location_id: str) -> None:
    if not partners.has_location(conn, partner_id, location_id):
        raise NotFound("No such location in your partner.")
