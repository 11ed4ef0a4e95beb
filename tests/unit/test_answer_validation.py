"""What an answer must contain: accepting needs a complete deal, declining a reason and notes, losing a reason,
and every email given must be an email. A refused answer names the field and changes nothing."""

import copy
from datetime import date
from decimal import Decimal

import pytest

from referrals.domain.deal import CustomerContact, Money
from referrals.domain.enums import Outcome, Reason, Status
from referrals.domain.errors import InvalidInput
from referrals.domain.lead import Lead
from tests.factories import ALICE, NOW, deal_terms, employee, received_lead


def refused(lead: Lead, attempt, *fields: str) -> InvalidInput:
    """Run `attempt(lead)`, expect InvalidInput naming `fields`, and check that the lead did not change."""
    before = copy.deepcopy(lead)
    with pytest.raises(InvalidInput) as raised:
        attempt(lead)
    for name in fields:
        assert name in raised.value.fields, raised.value.fields
    assert lead == before
    return raised.value


def accepted() -> Lead:
    lead = received_lead()
    lead.accept(deal_terms(), by=ALICE, now=NOW)
    return lead


# -- accept ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "deal_name"),
        ({"name": "   "}, "deal_name"),
        ({"name": "x" * 201}, "deal_name"),
        ({"value": Money(Decimal("-1"), "EUR")}, "estimated_value.amount"),
        ({"value": Money(Decimal("NaN"), "EUR")}, "estimated_value.amount"),
        ({"value": Money(Decimal("1000000000000"), "EUR")}, "estimated_value.amount"),
        ({"value": Money(Decimal("100"), "")}, "estimated_value.currency"),
        ({"value": Money(Decimal("100"), "EURO")}, "estimated_value.currency"),
        ({"value": Money(Decimal("100"), "eur")}, "estimated_value.currency"),
        ({"team_member_ids": ()}, "team_member_ids"),
        ({"purchase_date": None}, "estimated_purchase_date"),
        ({"notes": ""}, "notes"),
        ({"notes": " \n "}, "notes"),
        ({"campaign_id": "c" * 101}, "campaign_id"),
        ({"crm_id": "c" * 101}, "crm_id"),
    ],
)
def test_accepting_needs_a_complete_deal(changes, field):
    # given a received lead and a deal missing or breaking one required field
    lead = received_lead()
    terms = deal_terms(**changes)
    # when the partner accepts, then it is refused with that field named, and the lead is still received
    refused(lead, lambda lead: lead.accept(terms, by=ALICE, now=NOW), field)
    assert lead.status is Status.RECEIVED and lead.deal is None


def test_a_refused_accept_lists_every_missing_field_at_once():
    lead = received_lead()
    terms = deal_terms(name="", team=(), notes="", purchase_date=None, value=Money(Decimal("5"), "XYZ"))
    error = refused(lead, lambda lead: lead.accept(terms, by=ALICE, now=NOW))
    assert set(error.fields) == {
        "deal_name", "team_member_ids", "notes", "estimated_purchase_date", "estimated_value.currency"}


def test_a_deal_may_be_worth_zero_and_may_leave_the_optional_fields_empty():
    lead = received_lead()
    lead.accept(deal_terms(value=Money(Decimal("0"), "USD"), campaign_id="", crm_id="", customer_contacts=()),
                by=ALICE, now=NOW)
    assert lead.status is Status.ACCEPTED


@pytest.mark.parametrize("email", ["marco.bianchi", "marco@", "@fabrikam.it", "marco bianchi@fabrikam.it", ""])
def test_a_further_customer_contact_needs_a_well_formed_email(email):
    # given a deal whose extra customer contact has a malformed email
    lead = received_lead()
    terms = deal_terms(customer_contacts=(CustomerContact("Marco", "Bianchi", email),))
    # then accepting is refused, naming that contact's email
    refused(lead, lambda lead: lead.accept(terms, by=ALICE, now=NOW), "customer_contacts[0].email")


def test_a_further_customer_contact_needs_a_name():
    lead = received_lead()
    terms = deal_terms(customer_contacts=(CustomerContact("", "", "marco@fabrikam.it"),))
    refused(lead, lambda lead: lead.accept(terms, by=ALICE, now=NOW),
            "customer_contacts[0].first_name", "customer_contacts[0].last_name")


def test_a_deal_holds_at_most_twenty_customer_contacts():
    lead = received_lead()
    contacts = tuple(CustomerContact("A", f"B{n}", f"c{n}@fabrikam.it") for n in range(21))
    refused(lead, lambda lead: lead.accept(deal_terms(customer_contacts=contacts), by=ALICE, now=NOW),
            "customer_contacts")


# -- decline ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(Reason))
def test_declining_needs_notes_whatever_the_reason(reason):
    # given a received lead
    lead = received_lead()
    # when it is declined without notes, then it is refused for every reason on the list
    refused(lead, lambda lead: lead.decline(reason, "", by=ALICE, now=NOW), "notes")
    refused(lead, lambda lead: lead.decline(reason, "   ", by=ALICE, now=NOW), "notes")


@pytest.mark.parametrize("reason", [None, "", "too expensive", "spam"])
def test_declining_needs_a_reason_from_the_list(reason):
    # given a received lead, when it is declined without a listed reason, then it is refused
    lead = received_lead()
    refused(lead, lambda lead: lead.decline(reason, "Some notes.", by=ALICE, now=NOW), "reason")
    assert lead.status is Status.RECEIVED


@pytest.mark.parametrize("reason", list(Reason))
def test_every_listed_reason_with_notes_declines(reason):
    lead = received_lead()
    lead.decline(reason, "Explained.", by=ALICE, now=NOW)
    assert (lead.outcome, lead.closing.reason) == (Outcome.DECLINED, reason)


# -- close -----------------------------------------------------------------------------------------------


def test_losing_a_deal_needs_a_reason():
    # given an accepted lead, when the deal is marked lost without a reason, then it is refused
    lead = accepted()
    refused(lead, lambda lead: lead.close(Outcome.LOST, None, "No budget after all.", by=ALICE, now=NOW), "reason")
    assert lead.status is Status.ACCEPTED


def test_losing_a_deal_for_another_reason_needs_notes():
    lead = accepted()
    refused(lead, lambda lead: lead.close(Outcome.LOST, Reason.OTHER, "", by=ALICE, now=NOW), "notes")


def test_winning_a_deal_needs_no_reason():
    lead = accepted()
    lead.close(Outcome.WON, None, "", by=ALICE, now=NOW)
    assert lead.outcome is Outcome.WON


@pytest.mark.parametrize("outcome", [Outcome.DECLINED, Outcome.EXPIRED])
def test_a_deal_can_only_close_as_won_or_lost(outcome):
    lead = accepted()
    refused(lead, lambda lead: lead.close(outcome, Reason.OTHER, "x", by=ALICE, now=NOW), "outcome")


# -- editing the deal ------------------------------------------------------------------------------------


def test_editing_a_deal_checks_the_same_rules_as_accepting():
    # given an accepted lead, when the deal's name is blanked or its team emptied, then it is refused
    lead = accepted()
    refused(lead, lambda lead: lead.edit_deal({"name": ""}, by=ALICE, now=NOW), "deal_name")
    refused(lead, lambda lead: lead.edit_deal({"team_member_ids": ()}, by=ALICE, now=NOW), "team_member_ids")
    assert lead.deal.terms == deal_terms() and lead.version == 2


def test_editing_a_deal_refuses_unknown_fields():
    lead = accepted()
    refused(lead, lambda lead: lead.edit_deal({"status": "archived"}, by=ALICE, now=NOW), "status")


def test_editing_a_deal_can_change_every_editable_field():
    # given an accepted lead
    lead = accepted()
    changes = {
        "name": "Phase 2", "value": Money(Decimal("99.50"), "USD"), "team_member_ids": ("user-2",),
        "purchase_date": date(2027, 1, 15), "notes": "Scope grew.", "campaign_id": "C2", "crm_id": "R2",
        "customer_contacts": (),
    }
    # when all editable fields change at once, then each took its new value
    lead.edit_deal(changes, by=ALICE, now=NOW)
    for name, value in changes.items():
        assert getattr(lead.deal.terms, name) == value


# -- employees -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["anna", "anna@", "anna@@contoso.it", ""])
def test_an_employee_needs_a_well_formed_email(email):
    lead = accepted()
    refused(lead, lambda lead: lead.add_employee(employee(email=email), by=ALICE, now=NOW), "email")
    assert lead.deal.employees == ()


def test_an_employee_needs_a_name():
    lead = accepted()
    refused(lead, lambda lead: lead.add_employee(employee(name=" "), by=ALICE, now=NOW), "name")
