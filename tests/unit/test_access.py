"""Who may do what: Referrals admins act, Referrals users read, nobody reaches another partner's leads."""

import pytest

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden


def principal(*roles: Role, partner_id: str | None = "partner-a") -> Principal:
    return Principal("user-1", "someone@contoso.it", partner_id, frozenset(roles))


def test_a_referrals_admin_reads_and_acts_on_its_own_partner_leads():
    admin = principal(Role.REFERRALS_ADMIN)
    assert admin.partner_scope() == "partner-a"
    assert admin.partner_scope(acting=True) == "partner-a"


def test_a_referrals_user_reads_but_cannot_act():
    user = principal(Role.REFERRALS_USER)
    assert user.partner_scope() == "partner-a"
    with pytest.raises(Forbidden, match="act on"):
        user.partner_scope(acting=True)


def test_a_business_profile_admin_alone_sees_no_leads():
    profile_admin = principal(Role.BUSINESS_PROFILE_ADMIN)
    with pytest.raises(Forbidden):
        profile_admin.partner_scope()
    with pytest.raises(Forbidden):
        profile_admin.partner_scope(acting=True)


@pytest.mark.parametrize("role", [Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER])
def test_program_staff_have_no_partner_scope(role):
    staff = principal(role, partner_id=None)
    assert staff.is_program_staff
    with pytest.raises(Forbidden):
        staff.partner_scope()


def test_a_user_with_several_roles_has_the_union_of_their_rights():
    both = principal(Role.REFERRALS_USER, Role.REFERRALS_ADMIN)
    assert both.partner_scope(acting=True) == "partner-a"


def test_require_names_the_missing_role():
    with pytest.raises(Forbidden, match="program-admin"):
        principal(Role.REFERRALS_ADMIN).require(Role.PROGRAM_ADMIN)
    principal(Role.REFERRALS_ADMIN).require(Role.REFERRALS_ADMIN, Role.PROGRAM_ADMIN)


def test_a_principal_acts_as_its_user():
    actor = principal(Role.REFERRALS_ADMIN).actor
    assert (actor.user_id, actor.label) == ("user-1", "someone@contoso.it")
