"""Assignment rules per location and the facts they weigh: members, who is active, open leads per owner."""

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, delete, func, insert, select, update

from referrals.domain.assignment import AssignmentMode, AssignmentRule, Candidate
from referrals.store.scope import of_partner
from referrals.store.tables import assignment_members, assignment_rules, leads, users

OPEN = ("received", "accepted")


def load_rule(conn: Connection, partner_id: str, location_id: str, *, lock: bool = False) -> AssignmentRule | None:
    """The location's rule (None: none was ever set); `lock` holds its row until the transaction ends."""
    statement = select(assignment_rules).where(of_partner(assignment_rules, partner_id),
                                               assignment_rules.c.location_id == location_id)
    row = conn.execute(statement.with_for_update() if lock else statement).first()
    if row is None:
        return None
    members = conn.execute(
        select(assignment_members.c.user_id)
        .where(of_partner(assignment_members, partner_id), assignment_members.c.location_id == location_id)
        .order_by(assignment_members.c.position)
    ).scalars().all()
    return AssignmentRule(AssignmentMode(row.mode), tuple(members), row.max_open_per_member)


class Turn(NamedTuple):
    """What an assignment at one location weighs: the rule, the latest assignment number among its members and
    its members as candidates."""

    rule: AssignmentRule
    sequence: int
    candidates: list[Candidate]


def load_turn(conn: Connection, partner_id: str, location_id: str) -> Turn | None:
    """The location's rule with its members and whether each is active: first the rule's row, locked until the
    transaction ends (PostgreSQL; SQLite's writers are serial), so two transactions assigning at one location take
    turns; then, in a statement of its own (on PostgreSQL a new snapshot, taken once the lock is held, so it sees
    the picks of the transaction it waited for; one joined statement would read the members as of before the
    wait), the members, and only where the rule weighs them (least loaded, or a cap) their open owned leads.
    None without a rule or under `manual`."""
    row = conn.execute(select(assignment_rules.c.mode, assignment_rules.c.max_open_per_member)
                       .where(of_partner(assignment_rules, partner_id), assignment_rules.c.location_id == location_id)
                       .with_for_update()).first()
    if row is None or row.mode == AssignmentMode.MANUAL.value:
        return None
    mode, cap, m = AssignmentMode(row.mode), row.max_open_per_member, assignment_members.c
    members = conn.execute(
        select(m.user_id, m.position, m.last_sequence, users.c.active)
        .join(users, users.c.id == m.user_id)
        .where(of_partner(assignment_members, partner_id), m.location_id == location_id)
        .order_by(m.position)
    ).all()
    weighs_load = mode is AssignmentMode.LEAST_LOADED or cap is not None
    counts = open_counts(conn, partner_id, [r.user_id for r in members if r.active]) if weighs_load else {}
    candidates = [Candidate(r.user_id, r.position, r.last_sequence, counts.get(r.user_id, 0), bool(r.active))
                  for r in members]
    rule = AssignmentRule(mode, tuple(r.user_id for r in members), cap)
    return Turn(rule, max((r.last_sequence for r in members), default=0), candidates)


def open_counts(conn: Connection, partner_id: str, user_ids: list[str]) -> dict[str, int]:
    """Open (received or accepted) leads each user owns, from the partial index `ix_leads_owner_open`."""
    if not user_ids:
        return {}
    rows = conn.execute(
        select(leads.c.owner_id, func.count())
        .where(of_partner(leads, partner_id), leads.c.owner_id.in_(user_ids), leads.c.status.in_(OPEN))
        .group_by(leads.c.owner_id)
    ).all()
    return {owner: count for owner, count in rows}


def record(conn: Connection, partner_id: str, location_id: str, picks: Iterable[tuple[str, int]]) -> None:
    """Store each picked member's latest assignment number."""
    for user_id, last in picks:
        conn.execute(update(assignment_members)
                     .where(of_partner(assignment_members, partner_id),
                            assignment_members.c.location_id == location_id,
                            assignment_members.c.user_id == user_id)
                     .values(last_sequence=last))


def save_rule(conn: Connection, partner_id: str, location_id: str, rule: AssignmentRule, now: datetime) -> None:
    """Replace the location's rule; members who stay keep their place in the turn (their last assignment)."""
    stored = load_rule(conn, partner_id, location_id, lock=True)
    kept = {}
    if stored is None:
        conn.execute(insert(assignment_rules).values(
            partner_id=partner_id, location_id=location_id, mode=rule.mode.value,
            max_open_per_member=rule.max_open_per_member, updated_at=now))
    else:
        kept = dict(conn.execute(
            select(assignment_members.c.user_id, assignment_members.c.last_sequence)
            .where(of_partner(assignment_members, partner_id), assignment_members.c.location_id == location_id)
        ).all())
        conn.execute(update(assignment_rules)
                     .where(of_partner(assignment_rules, partner_id), assignment_rules.c.location_id == location_id)
                     .values(mode=rule.mode.value, max_open_per_member=rule.max_open_per_member, updated_at=now))
        conn.execute(delete(assignment_members).where(of_partner(assignment_members, partner_id),
                                                      assignment_members.c.location_id == location_id))
    if rule.members:
        conn.execute(insert(assignment_members), [
            {"partner_id": partner_id, "location_id": location_id, "user_id": user_id, "position": position,
             "last_sequence": kept.get(user_id, 0)}
            for position, user_id in enumerate(rule.members)
        ])


def active_users(conn: Connection, partner_id: str, user_ids: Iterable[str]) -> set[str]:
    """Which of these ids are active users of the partner."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(conn.execute(select(users.c.id).where(of_partner(users, partner_id), users.c.active.is_(True),
                                                     users.c.id.in_(ids))).scalars())


def owned_open_leads(conn: Connection, partner_id: str, user_id: str) -> list[str]:
    """Ids of the open leads the user owns."""
    return list(conn.execute(
        select(leads.c.id).where(of_partner(leads, partner_id), leads.c.owner_id == user_id,
                                 leads.c.status.in_(OPEN)).order_by(leads.c.created_at, leads.c.id)
    ).scalars())
