"""A partner's admins managing their team themselves: the list, role changes, deactivation and reactivation.
Every change runs in one write transaction that first locks the partner's team, so the last active Referrals
admin can be neither demoted nor deactivated, even by two admins at once. Operators do the same from the CLI
by email (`referrals users deactivate | reactivate`)."""

from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput, NotFound
from referrals.domain.team import (
    changed_roles,
    check_admins_remain,
    check_may_deactivate,
    partner_roles,
    team_of,
)
from referrals.services import sessions
from referrals.services.assignment import release_owned
from referrals.store import users, withdrawal
from referrals.store.db import reading, writing
from referrals.store.users import TeamMember

NO_SUCH_USER = "No such user in your team."


def list_team(engine: Engine, principal: Principal) -> list[TeamMember]:
    """Every user of the caller's partner (any of its people may look: they pick team members from it)."""
    if principal.partner_id is None:
        raise Forbidden("Only a partner's own users can see its users.")
    with reading(engine) as conn:
        return users.team(conn, principal.partner_id)


def _target(conn: Connection, partner_id: str, user_id: str) -> TeamMember:
    """The partner's user, once the team is locked; another partner's user is as unknown as a made-up id."""
    users.lock_team(conn, partner_id)
    found = users.team_member(conn, partner_id, user_id)
    if found is None:
        raise NotFound(NO_SUCH_USER)
    return found


def change_roles(engine: Engine, manager: Principal, user_id: str, roles: list[str]) -> TeamMember:
    """Give the user exactly `roles`; only roles the manager manages may be added or taken away."""
    partner_id = team_of(manager)
    wanted = partner_roles(roles)
    with writing(engine) as conn:
        target = _target(conn, partner_id, user_id)
        new = changed_roles(manager, target.roles, wanted)
        if target.active:
            check_admins_remain(users.active_admin_ids(conn, partner_id), user_id,
                                stays_admin=Role.REFERRALS_ADMIN in new)
        users.set_roles(conn, partner_id, user_id, new)
        return target._replace(roles=new)


def _deactivate(conn: Connection, partner_id: str, target: TeamMember, now: datetime) -> TeamMember:
    """Signed out everywhere at once (their tokens stop at their next request: they check `active`), the emails
    still to be sent to them withdrawn, and their open leads handed back to their location's rule, all in the
    caller's transaction. History stays."""
    if not target.active:
        return target
    check_admins_remain(users.active_admin_ids(conn, partner_id), target.id, stays_admin=False)
    users.set_active(conn, partner_id, target.id, False)
    sessions.end_all(conn, target.id)
    withdrawal.withdraw(conn, partner_id, target.id, now)
    release_owned(conn, partner_id, target.id, now=now)
    return target._replace(active=False)


def deactivate(engine: Engine, manager: Principal, user_id: str, *, now: datetime) -> TeamMember:
    partner_id = team_of(manager)
    with writing(engine) as conn:
        target = _target(conn, partner_id, user_id)
        check_may_deactivate(manager, target.roles)
        return _deactivate(conn, partner_id, target, now)


def reactivate(engine: Engine, manager: Principal, user_id: str) -> TeamMember:
    """They sign in again with their password; API tokens they had (not revoked, not expired) work again."""
    partner_id = team_of(manager)
    with writing(engine) as conn:
        target = _target(conn, partner_id, user_id)
        check_may_deactivate(manager, target.roles)
        users.set_active(conn, partner_id, user_id, True)
        return target._replace(active=True)


# -- the operator's side (CLI): by email, with the same rules --------------------------------------------------


def _partner_account(conn: Connection, email: str) -> tuple[str, TeamMember]:
    found = users.account(conn, email)
    if found is None:
        raise NotFound(f"No user with the email {email.strip().lower()}.")
    if found.partner_id is None:
        raise InvalidInput("Program staff are not deactivated here: this is for a partner's users.",
                           fields={"email": "is program staff"})
    return found.partner_id, _target(conn, found.partner_id, found.id)


def deactivate_by_email(engine: Engine, email: str, *, now: datetime) -> TeamMember:
    with writing(engine) as conn:
        partner_id, target = _partner_account(conn, email)
        return _deactivate(conn, partner_id, target, now)


def reactivate_by_email(engine: Engine, email: str) -> TeamMember:
    with writing(engine) as conn:
        partner_id, target = _partner_account(conn, email)
        users.set_active(conn, partner_id, target.id, True)
        return target._replace(active=True)

