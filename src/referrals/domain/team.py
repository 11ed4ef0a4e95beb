"""A partner's team, managed by its own admins: who manages which roles, what a role change or a deactivation
may not do (leave the partner without an active Referrals admin), and how long an invitation stays good.
Pure: callers pass in the manager, the roles and the facts they read."""

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from referrals.domain.access import Principal
from referrals.domain.enums import PARTNER_ROLES, Role
from referrals.domain.errors import Conflict, Forbidden, InvalidInput

INVITATION_LIFETIME = timedelta(days=7)

# Referrals admins manage the Referrals roles; business-profile admins the business-profile role.
MANAGES: dict[Role, frozenset[Role]] = {
    Role.REFERRALS_ADMIN: frozenset({Role.REFERRALS_ADMIN, Role.REFERRALS_USER}),
    Role.BUSINESS_PROFILE_ADMIN: frozenset({Role.BUSINESS_PROFILE_ADMIN}),
}
TEAM_MANAGING_ROLES = frozenset(MANAGES)
# The order roles are shown and stored in.
ROLE_ORDER = (Role.REFERRALS_ADMIN, Role.REFERRALS_USER, Role.BUSINESS_PROFILE_ADMIN)


class LastAdmin(Conflict):
    """The change would leave the partner without an active Referrals admin."""

    code = "last_admin"


class InvitationState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


def managed_roles(manager: Principal) -> frozenset[Role]:
    """The roles this person may give, take away and invite with (none for someone who manages nobody)."""
    if manager.partner_id is None:
        return frozenset()
    return frozenset().union(*(MANAGES[r] for r in manager.roles if r in MANAGES))


def team_of(manager: Principal) -> str:
    """The partner whose team this person manages; Forbidden for anyone who manages no role."""
    if manager.partner_id is None or not managed_roles(manager):
        raise Forbidden("Managing the team needs the referrals-admin or business-profile-admin role.")
    return manager.partner_id


def sorted_roles(roles: Iterable[Role | str]) -> list[str]:
    values = {Role(r) for r in roles}
    return [r.value for r in ROLE_ORDER if r in values]


def partner_roles(values: Iterable[str], *, field: str = "roles") -> frozenset[Role]:
    """Requested roles as a set: at least one, each a partner role (422 naming the field otherwise)."""
    chosen = list(values)
    if not chosen:
        raise InvalidInput("At least one role is required.", fields={field: "at least one role is required"})
    wrong = sorted({str(v) for v in chosen if v not in {r.value for r in PARTNER_ROLES}})
    if wrong:
        raise InvalidInput(f"{', '.join(wrong)} is not a partner role.",
                           fields={field: "must be referrals-admin, referrals-user or business-profile-admin"})
    return frozenset(Role(v) for v in chosen)


def check_grant(manager: Principal, roles: Collection[Role]) -> None:
    """An invitation may carry only roles its sender manages."""
    outside = set(roles) - managed_roles(manager)
    if outside:
        raise Forbidden(f"Your roles do not let you give the {', '.join(sorted_roles(outside))} role.")


def changed_roles(manager: Principal, current: Collection[Role], wanted: Collection[Role]) -> frozenset[Role]:
    """The roles a user ends up with: `wanted`, provided every role added or taken away is one the manager
    manages (roles they do not manage must be sent back as they are)."""
    touched = set(current) ^ set(wanted)
    check_grant(manager, touched)
    return frozenset(wanted)


def check_may_deactivate(manager: Principal, target_roles: Collection[Role]) -> None:
    """Referrals admins may deactivate (and reactivate) anyone of their partner; a business-profile admin only
    people whose every role is one they manage."""
    if manager.has(Role.REFERRALS_ADMIN):
        return
    if not set(target_roles) <= managed_roles(manager):
        raise Forbidden("Only a Referrals admin can deactivate or reactivate someone with Referrals roles.")


def check_admins_remain(active_admins: Collection[str], user_id: str, *, stays_admin: bool) -> None:
    """Refuse a change that leaves no active Referrals admin: `active_admins` are the partner's before it, and
    `stays_admin` says whether `user_id` is still an active Referrals admin after it."""
    if stays_admin or user_id not in active_admins:
        return
    if set(active_admins) == {user_id}:
        raise LastAdmin("This is the partner's last active Referrals admin: make someone else a Referrals admin "
                        "first.")


def invitation_state(*, accepted_at: datetime | None, revoked_at: datetime | None, expires_at: datetime,
                     now: datetime) -> InvitationState:
    if accepted_at is not None:
        return InvitationState.ACCEPTED
    if revoked_at is not None:
        return InvitationState.REVOKED
    return InvitationState.OPEN if now < expires_at else InvitationState.EXPIRED
