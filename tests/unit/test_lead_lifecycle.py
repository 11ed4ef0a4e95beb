"""The lead's lifecycle (PRODUCT.md section 3): every allowed transition and every refused one."""

import copy
from datetime import timedelta

import pytest

from referrals.domain.enums import Action, Outcome, Reason, Status
from referrals.domain.errors import InvalidTransition
from referrals.domain.history import Actor
from referrals.domain.lead import Lead
from referrals.domain.windows import informational_archive_at
from tests.factories import (
    ACTIONABLE_KINDS,
    ALICE,
    INFORMATIONAL_KINDS,
    NOW,
    deal_terms,
    employee,
    received_lead,
)

SECOND = timedelta(seconds=1)
SOON = NOW + timedelta(hours=1)
AFTER_DEADLINE = NOW + timedelta(days=14)


def accepted_lead(kind: str = "contact_me") -> Lead:
    lead = received_lead(kind)
    lead.accept(deal_terms(), by=ALICE, now=SOON)
    return lead


def archived_lead(how: str) -> Lead:
    """A lead archived each way it can be: won, lost, declined, expired, retired."""
    if how == "won":
        lead = accepted_lead()
        lead.close(Outcome.WON, None, "Signed.", by=ALICE, now=SOON)
    elif how == "lost":
        lead = accepted_lead()
        lead.close(Outcome.LOST, Reason.BUDGET_NOT_ADEQUATE, "", by=ALICE, now=SOON)
    elif how == "declined":
        lead = received_lead()
        lead.decline(Reason.NOT_A_CUSTOMER, "A student project.", by=ALICE, now=SOON)
    elif how == "expired":
        lead = received_lead()
        lead.expire(now=AFTER_DEADLINE)
    elif how == "retired":
        lead = received_lead("free_trial")
        lead.retire(now=informational_archive_at(NOW))
    else:
        raise ValueError(how)
    assert lead.status is Status.ARCHIVED
    return lead


# Every action a lead offers, as something to try on any lead at a given time.
ACTIONS = {
    "accept": lambda lead, now: lead.accept(deal_terms(), by=ALICE, now=now),
    "decline": lambda lead, now: lead.decline(Reason.SPAM, "Phishing attempt.", by=ALICE, now=now),
    "edit_deal": lambda lead, now: lead.edit_deal({"name": "Renamed"}, by=ALICE, now=now),
    "add_employee": lambda lead, now: lead.add_employee(employee(), by=ALICE, now=now),
    "close_won": lambda lead, now: lead.close(Outcome.WON, None, "", by=ALICE, now=now),
    "close_lost": lambda lead, now: lead.close(Outcome.LOST, Reason.CHOSE_ANOTHER_VENDOR, "", by=ALICE, now=now),
    "expire": lambda lead, now: lead.expire(now=now),
    "retire": lambda lead, now: lead.retire(now=now),
}


def assert_refused_and_unchanged(lead: Lead, action: str, now) -> None:
    before = copy.deepcopy(lead)
    with pytest.raises(InvalidTransition):
        ACTIONS[action](lead, now)
    assert lead == before


# -- allowed transitions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_a_received_actionable_lead_can_be_accepted(kind):
    # given a lead that needs a response
    lead = received_lead(kind)
    # when the partner accepts it with a complete deal
    entry = lead.accept(deal_terms(), by=ALICE, now=SOON)
    # then it is accepted, the deal is recorded and the history says so
    assert lead.status is Status.ACCEPTED and lead.outcome is None
    assert lead.deal is not None and lead.deal.terms == deal_terms()
    assert lead.accepted_at == SOON and lead.archived_at is None
    assert (entry.action, entry.from_status, entry.to_status, entry.outcome) == (
        Action.ACCEPTED, Status.RECEIVED, Status.ACCEPTED, None)
    assert (entry.version, lead.version) == (2, 2)
    assert (entry.lead_id, entry.partner_id, entry.at, entry.actor) == (lead.id, lead.partner_id, SOON, ALICE)


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_a_received_actionable_lead_can_be_declined_with_reason_and_notes(kind):
    # given a lead that needs a response
    lead = received_lead(kind)
    # when the partner declines it
    entry = lead.decline(Reason.TIMELINE_TOO_SHORT, "They need it live next week.", by=ALICE, now=SOON)
    # then it is archived as declined, with the reason kept
    assert (lead.status, lead.outcome, lead.archived_at) == (Status.ARCHIVED, Outcome.DECLINED, SOON)
    assert lead.closing is not None
    assert (lead.closing.reason, lead.closing.notes) == (Reason.TIMELINE_TOO_SHORT, "They need it live next week.")
    assert (entry.action, entry.from_status, entry.to_status, entry.outcome) == (
        Action.DECLINED, Status.RECEIVED, Status.ARCHIVED, Outcome.DECLINED)
    assert entry.details == {"reason": Reason.TIMELINE_TOO_SHORT}
    assert (entry.version, lead.version) == (2, 2)


def test_an_accepted_deal_can_be_edited():
    # given an accepted lead
    lead = accepted_lead()
    # when the partner changes the deal's name and value
    entry = lead.edit_deal({"name": "Fabrikam CRM, phase 2", "crm_id": "CRM-9"}, by=ALICE, now=SOON)
    # then the deal changed, the rest stayed, and the lead is still accepted
    assert lead.deal.terms.name == "Fabrikam CRM, phase 2"
    assert lead.deal.terms.crm_id == "CRM-9"
    assert lead.deal.terms.value == deal_terms().value
    assert lead.status is Status.ACCEPTED
    assert (entry.action, entry.from_status, entry.to_status, entry.outcome) == (
        Action.DEAL_EDITED, Status.ACCEPTED, Status.ACCEPTED, None)
    assert entry.details == {"fields": ["crm_id", "name"]}
    assert (entry.version, lead.version) == (3, 3)


def test_an_employee_can_be_added_to_an_accepted_deal():
    # given an accepted lead
    lead = accepted_lead()
    # when the partner adds one of its people
    entry = lead.add_employee(employee(), by=ALICE, now=SOON)
    # then the deal lists them
    assert lead.deal.employees == (employee(),)
    assert (entry.action, entry.from_status, entry.to_status) == (
        Action.EMPLOYEE_ADDED, Status.ACCEPTED, Status.ACCEPTED)
    assert (entry.version, lead.version) == (3, 3)


def test_an_accepted_deal_can_be_won():
    # given an accepted lead
    lead = accepted_lead()
    # when the deal is won
    entry = lead.close(Outcome.WON, None, "Signed for three years.", by=ALICE, now=SOON)
    # then the lead is archived as won
    assert (lead.status, lead.outcome, lead.archived_at) == (Status.ARCHIVED, Outcome.WON, SOON)
    assert (entry.action, entry.from_status, entry.to_status, entry.outcome) == (
        Action.WON, Status.ACCEPTED, Status.ARCHIVED, Outcome.WON)
    assert (entry.version, lead.version) == (3, 3)


def test_an_accepted_deal_can_be_lost_with_a_reason():
    # given an accepted lead
    lead = accepted_lead()
    # when the deal is lost to a competitor
    entry = lead.close(Outcome.LOST, Reason.CHOSE_ANOTHER_VENDOR, "", by=ALICE, now=SOON)
    # then the lead is archived as lost with its reason
    assert (lead.status, lead.outcome) == (Status.ARCHIVED, Outcome.LOST)
    assert lead.closing.reason is Reason.CHOSE_ANOTHER_VENDOR
    assert (entry.action, entry.from_status, entry.to_status, entry.outcome) == (
        Action.LOST, Status.ACCEPTED, Status.ARCHIVED, Outcome.LOST)
    assert entry.details == {"reason": Reason.CHOSE_ANOTHER_VENDOR}
    assert (entry.version, lead.version) == (3, 3)


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_an_unanswered_actionable_lead_expires_at_its_deadline(kind):
    # given an actionable lead nobody answered
    lead = received_lead(kind)
    # when its 14 days are over
    entry = lead.expire(now=AFTER_DEADLINE)
    # then it is archived as expired, by the system
    assert (lead.status, lead.outcome, lead.archived_at) == (Status.ARCHIVED, Outcome.EXPIRED, AFTER_DEADLINE)
    assert (entry.action, entry.from_status, entry.to_status, entry.outcome) == (
        Action.EXPIRED, Status.RECEIVED, Status.ARCHIVED, Outcome.EXPIRED)
    assert entry.actor == Actor.system()
    assert (entry.version, lead.version) == (2, 2)


@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_an_informational_lead_retires_after_six_months(kind):
    # given an informational lead
    lead = received_lead(kind)
    # when six calendar months have passed
    at = informational_archive_at(NOW)
    entry = lead.retire(now=at)
    # then it is archived
    assert (lead.status, lead.outcome, lead.archived_at) == (Status.ARCHIVED, Outcome.EXPIRED, at)
    assert (entry.action, entry.from_status, entry.to_status) == (Action.RETIRED, Status.RECEIVED, Status.ARCHIVED)
    assert (entry.version, lead.version) == (2, 2)


def test_each_transition_numbers_its_history_entry_with_the_new_version():
    # given a lead taken through its whole life
    lead = received_lead()
    entries = [
        lead.accept(deal_terms(), by=ALICE, now=SOON),
        lead.edit_deal({"notes": "Pilot agreed."}, by=ALICE, now=SOON),
        lead.add_employee(employee(), by=ALICE, now=SOON),
        lead.close(Outcome.WON, None, "", by=ALICE, now=SOON),
    ]
    # then versions run 2, 3, 4, 5 and each entry starts where the previous ended
    assert [e.version for e in entries] == [2, 3, 4, 5]
    assert lead.version == 5
    assert all(a.to_status == b.from_status for a, b in zip(entries, entries[1:], strict=False))


def test_the_etag_changes_with_every_transition():
    # given a lead and its etag
    lead = received_lead()
    before = lead.etag
    # when it changes
    lead.accept(deal_terms(), by=ALICE, now=SOON)
    # then its etag changes too
    assert lead.etag != before and lead.etag == f'"{lead.id}.2"'


# -- refused transitions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("how", ["won", "lost", "declined", "expired", "retired"])
def test_an_archived_lead_refuses_every_action_and_stays_unchanged(how, action):
    # given a lead archived in any way
    lead = archived_lead(how)
    # when anything at all is tried on it, even long after
    # then it is refused and nothing changes
    assert_refused_and_unchanged(lead, action, SOON)
    assert_refused_and_unchanged(lead, action, informational_archive_at(NOW) + timedelta(days=400))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_the_refusal_of_an_archived_lead_says_it_is_read_only(action):
    # given a declined lead
    lead = archived_lead("declined")
    # when an action other than the time rules is tried, the message says why
    if action in ("expire", "retire"):
        pytest.raises(InvalidTransition, ACTIONS[action], lead, SOON)
    else:
        with pytest.raises(InvalidTransition, match="archived .*read-only"):
            ACTIONS[action](lead, SOON)


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_an_informational_lead_cannot_be_accepted_or_declined(kind, action):
    # given a Get it now / Free trial / Test drive lead
    lead = received_lead(kind)
    # when the partner tries to answer it, then it is refused: it needs no response
    with pytest.raises(InvalidTransition, match="informational"):
        ACTIONS[action](copy.deepcopy(lead), SOON)
    assert_refused_and_unchanged(lead, action, SOON)


@pytest.mark.parametrize("action", ["edit_deal", "add_employee", "close_won", "close_lost", "expire"])
@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_an_informational_lead_has_no_deal_and_never_expires(kind, action):
    # given an informational lead, even long after 14 days
    lead = received_lead(kind)
    # when a deal action or expiry is tried, then it is refused
    assert_refused_and_unchanged(lead, action, AFTER_DEADLINE + timedelta(days=30))


@pytest.mark.parametrize("action", ["edit_deal", "add_employee", "close_won", "close_lost"])
@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_deal_actions_are_refused_before_the_lead_is_accepted(kind, action):
    # given a received lead
    lead = received_lead(kind)
    # when a deal action is tried, then it is refused: there is no deal yet
    with pytest.raises(InvalidTransition, match="not been accepted"):
        ACTIONS[action](copy.deepcopy(lead), SOON)
    assert_refused_and_unchanged(lead, action, SOON)


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_an_accepted_lead_cannot_be_answered_again(action):
    # given an accepted lead
    lead = accepted_lead()
    # when it is accepted or declined again, then it is refused
    with pytest.raises(InvalidTransition, match="already accepted"):
        ACTIONS[action](copy.deepcopy(lead), SOON)
    assert_refused_and_unchanged(lead, action, SOON)


@pytest.mark.parametrize("action", ["expire", "retire"])
def test_an_accepted_lead_never_expires_or_retires(action):
    # given an accepted lead, long after its response deadline
    lead = accepted_lead()
    # then the time rules leave it alone
    assert_refused_and_unchanged(lead, action, informational_archive_at(NOW) + timedelta(days=1))


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_a_lead_cannot_be_answered_once_its_deadline_has_passed(kind, action):
    # given an actionable lead at its deadline and one second after (not yet swept)
    lead = received_lead(kind)
    for at in (AFTER_DEADLINE, AFTER_DEADLINE + SECOND):
        # when the partner answers, then it is refused
        with pytest.raises(InvalidTransition, match="deadline has passed"):
            ACTIONS[action](copy.deepcopy(lead), at)
        assert_refused_and_unchanged(lead, action, at)


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_a_lead_can_still_be_answered_one_second_before_its_deadline(action):
    # given an actionable lead one second before its deadline
    lead = received_lead()
    # when the partner answers, then it works
    entry = ACTIONS[action](lead, AFTER_DEADLINE - SECOND)
    assert entry.version == 2


def test_a_lead_cannot_expire_one_second_before_its_deadline():
    # given an actionable lead
    lead = received_lead()
    # when expiry is tried a second early, then it is refused
    assert_refused_and_unchanged(lead, "expire", AFTER_DEADLINE - SECOND)


def test_an_informational_lead_cannot_retire_one_second_before_six_months():
    # given an informational lead
    lead = received_lead("get_it_now")
    # when retirement is tried a second early, then it is refused
    assert_refused_and_unchanged(lead, "retire", informational_archive_at(NOW) - SECOND)


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_an_actionable_lead_is_never_retired(kind):
    # given an actionable lead six months old that somehow was never swept
    lead = received_lead(kind)
    # then retirement does not apply to it
    assert_refused_and_unchanged(lead, "retire", informational_archive_at(NOW) + SECOND)


def test_a_deal_holds_at_most_fifty_employees():
    # given a deal with 50 employees
    lead = accepted_lead()
    for n in range(50):
        lead.add_employee(employee(name=f"Employee {n}", email=f"e{n}@contoso.it"), by=ALICE, now=SOON)
    # when a 51st is added, then it is refused
    assert_refused_and_unchanged(lead, "add_employee", SOON)
    assert len(lead.deal.employees) == 50
