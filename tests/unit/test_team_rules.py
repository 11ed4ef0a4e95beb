"""The team's rules, without a database: who manages which roles, what a role change may touch, who may deactivate
whom, the last active Referrals admin, invitation states, and personal settings."""

from datetime import timedelta

import pytest

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput
from referrals.domain.preferences import NewLeadEmails, Preferences, changed
from referrals.domain.team import (
    INVITATION_LIFETIME,
    InvitationState,
    LastAdmin,
    changed_roles,
    check_admins_remain,
    check_may_deactivate,
    invitation_state,
    managed_roles,
    partner_roles,
    team_of,
)
from tests.factories import NOW

ADMIN, USER, PROFILE = Role.REFERRALS_ADMIN, Role.REFERRALS_USER, Role.BUSINESS_PROFILE_ADMIN


def person(*roles: Role, partner: str | None = "p1") -> Principal:
    return Principal("u1", "u1@contoso.example", partner, frozenset(roles))


def test_referrals_admins_manage_the_referrals_roles_and_profile_admins_theirs():
    assert managed_roles(person(ADMIN)) == {ADMIN, USER}
    assert managed_roles(person(PROFILE)) == {PROFILE}
    assert managed_roles(person(ADMIN, PROFILE)) == {ADMIN, USER, PROFILE}
    assert managed_roles(person(USER)) == set()
    assert managed_roles(person(Role.PROGRAM_ADMIN, partner=None)) == set()


def test_only_people_who_manage_a_role_manage_the_team():
    assert team_of(person(PROFILE)) == "p1"
    with pytest.raises(Forbidden):
        team_of(person(USER))
    with pytest.raises(Forbidden):
        team_of(person(Role.PROGRAM_ADMIN, partner=None))


def test_a_role_change_may_touch_only_managed_roles():
    assert changed_roles(person(ADMIN), {USER, PROFILE}, {ADMIN, PROFILE}) == {ADMIN, PROFILE}
    with pytest.raises(Forbidden):
        changed_roles(person(ADMIN), {USER, PROFILE}, {ADMIN})  # takes away a role Referrals admins don't manage
    with pytest.raises(Forbidden):
        changed_roles(person(PROFILE), {USER}, {ADMIN})


def test_requested_roles_are_partner_roles_and_at_least_one():
    assert partner_roles(["referrals-user", "referrals-user"]) == {USER}
    with pytest.raises(InvalidInput) as empty:
        partner_roles([])
    assert empty.value.fields == {"roles": "at least one role is required"}
    with pytest.raises(InvalidInput) as program:
        partner_roles(["program-admin"])
    assert "roles" in program.value.fields


def test_profile_admins_deactivate_only_people_whose_every_role_they_manage():
    check_may_deactivate(person(ADMIN), {PROFILE})
    check_may_deactivate(person(PROFILE), {PROFILE})
    with pytest.raises(Forbidden):
        check_may_deactivate(person(PROFILE), {PROFILE, USER})


def test_the_last_active_referrals_admin_stays():
    with pytest.raises(LastAdmin) as refused:
        check_admins_remain({"a"}, "a", stays_admin=False)
    assert refused.value.code == "last_admin"
    check_admins_remain({"a", "b"}, "a", stays_admin=False)
    check_admins_remain({"a"}, "a", stays_admin=True)
    check_admins_remain({"a"}, "b", stays_admin=False)  # b was no admin: nothing is lost


def test_an_invitation_is_open_for_seven_days_until_accepted_or_revoked():
    expires = NOW + INVITATION_LIFETIME
    assert timedelta(days=7) == INVITATION_LIFETIME
    state = {"accepted_at": None, "revoked_at": None, "expires_at": expires}
    assert invitation_state(**state, now=expires - timedelta(seconds=1)) is InvitationState.OPEN
    assert invitation_state(**state, now=expires) is InvitationState.EXPIRED
    assert invitation_state(**{**state, "accepted_at": NOW}, now=NOW) is InvitationState.ACCEPTED
    assert invitation_state(**{**state, "revoked_at": NOW}, now=NOW) is InvitationState.REVOKED


DEFAULTS = Preferences(None, None, NewLeadEmails.EACH)


def test_settings_change_only_what_is_given_and_an_empty_address_means_none():
    assert changed(DEFAULTS, {"language": "it"}) == Preferences("it", None, NewLeadEmails.EACH)
    assert changed(Preferences("it", "a@b.example", NewLeadEmails.NONE), {"notification_email": "  "}) == \
        Preferences("it", None, NewLeadEmails.NONE)


def test_bad_settings_are_named_all_at_once():
    with pytest.raises(InvalidInput) as refused:
        changed(DEFAULTS, {"language": "fr", "notification_email": "nope", "new_lead_emails": "weekly", "x": 1})
    assert set(refused.value.fields) == {"language", "notification_email", "new_lead_emails", "x"}


def test_the_new_lead_email_choices_are_the_ones_notifications_route_by():
    from referrals.domain.notify import NEW_LEAD_RHYTHMS

    assert [m.value for m in NewLeadEmails] == list(NEW_LEAD_RHYTHMS)
