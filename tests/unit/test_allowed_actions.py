"""`Lead.allowed_actions(now, viewer)` lists exactly the actions whose guards let the viewer through: for every lead
state and moment, an action is listed if and only if trying it succeeds; readers and other partners get none."""

import copy
from datetime import timedelta

import pytest

from referrals.domain.access import Principal
from referrals.domain.enums import LeadAction, Outcome, Reason, Role
from referrals.domain.errors import InvalidTransition
from referrals.domain.lead_state import MAX_EMPLOYEES
from tests.factories import ACTIONABLE_KINDS, ALICE, INFORMATIONAL_KINDS, NOW, deal_terms, employee, received_lead
from tests.unit.test_lead_lifecycle import AFTER_DEADLINE, SOON, accepted_lead, archived_lead

ADMIN = Principal("user-1", "alice@contoso.example", "partner-1", frozenset({Role.REFERRALS_ADMIN}))
READER = Principal("user-2", "bob@contoso.example", "partner-1", frozenset({Role.REFERRALS_USER}))
STRANGER = Principal("user-3", "eve@other.example", "partner-2", frozenset({Role.REFERRALS_ADMIN}))
PROGRAM = Principal("user-4", "sam@program.example", None, frozenset({Role.PROGRAM_ADMIN}))

TRY = {
    LeadAction.ACCEPT: lambda lead, now: lead.accept(deal_terms(), by=ALICE, now=now),
    LeadAction.DECLINE: lambda lead, now: lead.decline(Reason.SPAM, "Phishing.", by=ALICE, now=now),
    LeadAction.EDIT_DEAL: lambda lead, now: lead.edit_deal({"name": "Renamed"}, by=ALICE, now=now),
    LeadAction.ADD_EMPLOYEE: lambda lead, now: lead.add_employee(employee(), by=ALICE, now=now),
    LeadAction.CLOSE: lambda lead, now: lead.close(Outcome.WON, None, "", by=ALICE, now=now),
    LeadAction.ASSIGN: lambda lead, now: lead.assign("user-1", by=ALICE, now=now),
}


def full_deal():
    lead = accepted_lead()
    for index in range(MAX_EMPLOYEES):
        lead.add_employee(employee(name=f"Person {index}"), by=ALICE, now=SOON)
    return lead


LEADS = {
    **{f"received {kind}": received_lead(kind) for kind in ACTIONABLE_KINDS + INFORMATIONAL_KINDS},
    "accepted": accepted_lead(),
    "accepted, deal full": full_deal(),
    **{f"archived {how}": archived_lead(how) for how in ("won", "lost", "declined", "expired", "retired")},
}
MOMENTS = {"soon": SOON, "at the deadline": AFTER_DEADLINE, "a year on": NOW + timedelta(days=365)}


def succeeds(lead, action: LeadAction, now) -> bool:
    try:
        TRY[action](copy.deepcopy(lead), now)
    except InvalidTransition:
        return False
    return True


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("name", LEADS)
def test_an_action_is_allowed_exactly_when_the_lead_accepts_it(name, moment):
    lead, now = LEADS[name], MOMENTS[moment]
    allowed = lead.allowed_actions(now, ADMIN)
    assert {action for action in LeadAction if succeeds(lead, action, now)} == set(allowed)


@pytest.mark.parametrize("viewer", [READER, STRANGER, PROGRAM], ids=["reader", "other partner", "program"])
@pytest.mark.parametrize("name", LEADS)
def test_only_the_partners_referrals_admins_are_offered_actions(name, viewer):
    assert LEADS[name].allowed_actions(SOON, viewer) == ()


def test_the_actions_come_in_the_order_of_the_lifecycle():
    assert received_lead().allowed_actions(SOON, ADMIN) == (
        LeadAction.ACCEPT, LeadAction.DECLINE, LeadAction.ASSIGN)
    assert accepted_lead().allowed_actions(SOON, ADMIN) == (
        LeadAction.EDIT_DEAL, LeadAction.ADD_EMPLOYEE, LeadAction.CLOSE, LeadAction.ASSIGN)
