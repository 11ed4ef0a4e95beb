"""The time rules: 14 days to respond, 72 hours of flame, six months for informational leads."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.domain.enums import Outcome, Reason, Urgency
from referrals.domain.lead import visible_customer
from referrals.domain.windows import (
    HOT_WINDOW,
    INFORMATIONAL_RETENTION_MONTHS,
    RESPONSE_WINDOW,
    add_months,
    informational_archive_at,
    response_due_at,
)
from tests.factories import (
    ACTIONABLE_KINDS,
    ALICE,
    INFORMATIONAL_KINDS,
    MARKETING,
    NOW,
    SALES,
    customer,
    deal_terms,
    received_lead,
)

SECOND = timedelta(seconds=1)


def test_the_windows_are_the_ones_the_product_promises():
    assert timedelta(days=14) == RESPONSE_WINDOW
    assert timedelta(hours=72) == HOT_WINDOW
    assert INFORMATIONAL_RETENTION_MONTHS == 6


# -- deadlines set on arrival ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_an_actionable_lead_must_be_answered_within_fourteen_days(kind):
    # given a lead that needs a response, received now
    lead = received_lead(kind)
    # then it is due 14 days later and has no six-month retirement
    assert lead.response_due_at == NOW + timedelta(days=14)
    assert lead.archive_due_at is None


@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_an_informational_lead_stays_six_calendar_months_and_has_no_response_deadline(kind):
    # given an informational lead received on 2 March
    lead = received_lead(kind)
    # then it is kept until 2 September, same time of day, and nothing is due before
    assert lead.archive_due_at == datetime(2026, 9, 2, 9, 30, tzinfo=UTC)
    assert lead.response_due_at is None


# -- expiry_due and retirement_due at their edges -----------------------------------------------------


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_expiry_is_due_exactly_at_fourteen_days_and_not_a_second_before(kind):
    # given an actionable lead
    lead = received_lead(kind)
    deadline = NOW + timedelta(days=14)
    # then expiry is due from the deadline on
    assert lead.expiry_due(deadline - SECOND) is False
    assert lead.expiry_due(deadline) is True
    assert lead.expiry_due(deadline + SECOND) is True


@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_expiry_is_never_due_for_an_informational_lead(kind):
    lead = received_lead(kind)
    assert lead.expiry_due(NOW + timedelta(days=365)) is False


def test_expiry_is_not_due_once_the_lead_is_accepted():
    # given a lead accepted before its deadline
    lead = received_lead()
    lead.accept(deal_terms(), by=ALICE, now=NOW + timedelta(days=13))
    # then the deadline no longer applies
    assert lead.expiry_due(NOW + timedelta(days=15)) is False


@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_retirement_is_due_at_six_months_and_not_a_second_before(kind):
    # given an informational lead
    lead = received_lead(kind)
    six_months = datetime(2026, 9, 2, 9, 30, tzinfo=UTC)
    # then retirement is due from six months on
    assert lead.retirement_due(six_months - SECOND) is False
    assert lead.retirement_due(six_months) is True
    assert lead.retirement_due(six_months + SECOND) is True


@pytest.mark.parametrize("kind", ACTIONABLE_KINDS)
def test_retirement_is_never_due_for_an_actionable_lead(kind):
    lead = received_lead(kind)
    assert lead.retirement_due(NOW + timedelta(days=365)) is False


def test_six_months_from_the_end_of_august_is_the_end_of_february():
    # given an informational lead received on 31 August
    lead = received_lead("free_trial", now=datetime(2025, 8, 31, 23, 0, tzinfo=UTC))
    # then it retires on the last day of February (no 31 February)
    assert lead.archive_due_at == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)


# -- urgency: flame for 72 hours, then waiting until expiry ---------------------------------------------


@pytest.mark.parametrize("kind", ["contact_me", "profile"])
def test_a_lead_asking_for_contact_is_hot_for_seventy_two_hours(kind):
    # given a lead whose customer asked to be contacted
    lead = received_lead(kind)
    hot_until = NOW + timedelta(hours=72)
    # then it carries the flame until 72 hours, then waits until it expires
    assert lead.urgency(NOW) is Urgency.HOT
    assert lead.urgency(hot_until - SECOND) is Urgency.HOT
    assert lead.urgency(hot_until) is Urgency.WAITING
    assert lead.urgency(hot_until + SECOND) is Urgency.WAITING


def test_a_waiting_lead_loses_its_urgency_when_it_expires():
    # given a Contact me lead
    lead = received_lead("contact_me")
    deadline = NOW + timedelta(days=14)
    # then it waits until one second before its deadline, and has no urgency from the deadline on
    assert lead.urgency(deadline - SECOND) is Urgency.WAITING
    assert lead.urgency(deadline) is None
    assert lead.urgency(deadline + SECOND) is None


def test_an_answered_lead_has_no_urgency():
    # given a Contact me lead accepted at once
    lead = received_lead("contact_me")
    lead.accept(deal_terms(), by=ALICE, now=NOW + SECOND)
    # then it is no longer urgent
    assert lead.urgency(NOW + 2 * SECOND) is None


def test_a_declined_lead_has_no_urgency():
    lead = received_lead("contact_me")
    lead.decline(Reason.SPAM, "Phishing.", by=ALICE, now=NOW + SECOND)
    assert lead.urgency(NOW + 2 * SECOND) is None


@pytest.mark.parametrize("kind", INFORMATIONAL_KINDS)
def test_an_informational_lead_carries_no_flame(kind):
    # given a lead whose customer only started a trial
    lead = received_lead(kind)
    # then it is never urgent
    assert lead.urgency(NOW) is None
    assert lead.urgency(NOW + timedelta(days=5)) is None


@pytest.mark.parametrize("kind", [MARKETING, SALES])
def test_a_qualified_lead_is_urgent_only_when_the_customer_asked_for_contact(kind):
    # given two qualified leads, one whose customer asked to be contacted
    quiet = received_lead(kind)
    asking = received_lead(kind)
    asking.customer_requested_contact = True
    # then only that one carries the flame
    assert quiet.urgency(NOW) is None
    assert asking.urgency(NOW) is Urgency.HOT


# -- an expired lead withholds its contact details -------------------------------------------------------


def test_an_expired_lead_no_longer_shows_contact_details():
    # given a lead that expired unanswered
    lead = received_lead("contact_me")
    lead.expire(now=NOW + timedelta(days=14))
    # when a reader looks at its customer
    shown = visible_customer(lead)
    # then names, title, email and phone are withheld; the company and its profile stay
    assert (shown.first_name, shown.last_name, shown.title, shown.email, shown.phone) == (None,) * 5
    assert (shown.company, shown.country, shown.company_size, shown.industry) == (
        customer().company, customer().country, customer().company_size, customer().industry)


def test_a_retired_informational_lead_no_longer_shows_contact_details():
    lead = received_lead("test_drive")
    lead.retire(now=informational_archive_at(NOW))
    assert visible_customer(lead).email is None and visible_customer(lead).phone is None


@pytest.mark.parametrize("outcome", ["received", "accepted", "declined", "won"])
def test_a_lead_that_did_not_expire_shows_its_contact_details(outcome):
    # given a lead received, accepted, declined or won
    lead = received_lead("contact_me")
    if outcome != "received" and outcome != "declined":
        lead.accept(deal_terms(), by=ALICE, now=NOW + SECOND)
    if outcome == "declined":
        lead.decline(Reason.BUDGET_NOT_ADEQUATE, "Too small.", by=ALICE, now=NOW + SECOND)
    if outcome == "won":
        lead.close(Outcome.WON, None, "", by=ALICE, now=NOW + SECOND)
    # then its customer shows in full
    assert visible_customer(lead) == customer()


# -- month arithmetic ------------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC))


@given(moment=moments, months=st.integers(min_value=0, max_value=1200))
def test_adding_months_moves_the_calendar_month_and_keeps_the_wall_clock(moment, months):
    # when months are added to any moment
    later = add_months(moment, months)
    # then the calendar month moved by exactly that much, the time of day and zone stayed
    assert (later.year * 12 + later.month) - (moment.year * 12 + moment.month) == months
    assert later.timetz() == moment.timetz()
    # and the day is kept, or clamped to the last day of a shorter month
    if later.day != moment.day:
        assert later.day < moment.day
        assert (later + timedelta(days=1)).month != later.month
    assert later >= moment


@given(moment=moments)
def test_six_months_is_between_181_and_184_days(moment):
    later = informational_archive_at(moment)
    assert timedelta(days=181) <= later - moment <= timedelta(days=184)


@given(moment=moments)
def test_the_response_deadline_is_always_fourteen_days_later(moment):
    assert response_due_at(moment) - moment == timedelta(days=14)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2024, 1, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 8, 31, 12, tzinfo=UTC), 6, datetime(2027, 2, 28, 12, tzinfo=UTC)),
        (datetime(2026, 7, 15, tzinfo=UTC), 6, datetime(2027, 1, 15, tzinfo=UTC)),
        (datetime(2026, 12, 31, tzinfo=UTC), 12, datetime(2027, 12, 31, tzinfo=UTC)),
    ],
)
def test_adding_months_on_known_dates(start, months, expected):
    assert add_months(start, months) == expected
