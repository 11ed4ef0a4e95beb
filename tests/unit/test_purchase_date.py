"""The estimated purchase date of a deal is not in the past: on or after the day of the action where the partner is.

The domain holds the rule, so the API, the pages and every other caller of `accept` and `edit_deal` meet it."""

from datetime import UTC, date, datetime

import pytest

from referrals.domain.enums import Status
from referrals.domain.errors import InvalidInput
from tests.factories import ALICE, CONTACT_ME, NOW, days, deal_terms, received_lead

LATE_EVENING_UTC = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Rome
JUST_AFTER_MIDNIGHT_UTC = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # still 2 March in New York


def test_accepting_with_a_purchase_date_in_the_past_is_refused_and_changes_nothing():
    lead = received_lead(CONTACT_ME)
    with pytest.raises(InvalidInput) as refused:
        lead.accept(deal_terms(purchase_date=date(2020, 1, 31)), by=ALICE, now=NOW)
    assert refused.value.fields["estimated_purchase_date"].startswith("must be on or after 2026-03-02")
    assert lead.status is Status.RECEIVED and lead.deal is None and lead.version == 1


def test_every_problem_of_the_terms_is_reported_with_the_past_date():
    lead = received_lead(CONTACT_ME)
    with pytest.raises(InvalidInput) as refused:
        lead.accept(deal_terms(purchase_date=date(2020, 1, 31), name="", notes=""), by=ALICE, now=NOW)
    assert set(refused.value.fields) == {"deal_name", "notes", "estimated_purchase_date"}


def test_today_is_a_valid_purchase_date():
    lead = received_lead(CONTACT_ME)
    lead.accept(deal_terms(purchase_date=NOW.date()), by=ALICE, now=NOW)
    assert lead.status is Status.ACCEPTED


def test_the_day_is_the_partners_own():
    # 23:30 UTC on 2 March is 3 March in Rome: 2 March has passed there, not in UTC
    rome = received_lead(CONTACT_ME)
    with pytest.raises(InvalidInput):
        rome.accept(deal_terms(purchase_date=date(2026, 3, 2)), by=ALICE, now=LATE_EVENING_UTC, zone="Europe/Rome")
    utc = received_lead(CONTACT_ME)
    utc.accept(deal_terms(purchase_date=date(2026, 3, 2)), by=ALICE, now=LATE_EVENING_UTC)
    # 00:30 UTC on 3 March is still 2 March in New York
    new_york = received_lead(CONTACT_ME)
    new_york.accept(deal_terms(purchase_date=date(2026, 3, 2)), by=ALICE, now=JUST_AFTER_MIDNIGHT_UTC,
                    zone="America/New_York")
    assert utc.status is new_york.status is Status.ACCEPTED


def _accepted_in_march():
    lead = received_lead(CONTACT_ME)
    lead.accept(deal_terms(purchase_date=date(2026, 3, 10)), by=ALICE, now=NOW)
    return lead


def test_moving_the_purchase_date_into_the_past_is_refused():
    lead = _accepted_in_march()
    later = NOW + days(30)  # 1 April: the agreed 10 March has passed
    with pytest.raises(InvalidInput) as refused:
        lead.edit_deal({"purchase_date": date(2026, 3, 20)}, by=ALICE, now=later)
    assert "estimated_purchase_date" in refused.value.fields
    assert lead.deal.terms.purchase_date == date(2026, 3, 10)


def test_a_deal_whose_date_has_passed_can_still_be_edited_otherwise():
    lead = _accepted_in_march()
    later = NOW + days(30)
    lead.edit_deal({"notes": "Slipped to Q2.", "purchase_date": date(2026, 3, 10)}, by=ALICE, now=later)
    assert lead.deal.terms.notes == "Slipped to Q2."
    lead.edit_deal({"purchase_date": date(2026, 6, 1)}, by=ALICE, now=later)
    assert lead.deal.terms.purchase_date == date(2026, 6, 1)
