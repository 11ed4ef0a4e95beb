"""A lead as the vendor's referral: the status mapping, the document, the filter's meaning on lead columns, and a JSON
Patch read into the one lifecycle action it asks for."""

from datetime import date
from decimal import Decimal

import pytest

from referrals.domain.deal import Money
from referrals.domain.enums import Outcome, Reason
from referrals.domain.errors import InvalidInput, InvalidTransition
from referrals.domain.odata import UnsupportedQuery
from referrals.domain.referral_compat import Member, column_terms, referral, selected, status_of
from referrals.domain.referral_patch import Accept, Close, Decline, Edit, TeamMember, plan, read_patch, team_ids
from tests import factories
from tests.factories import ALICE, NOW, days


def accepted():
    lead = factories.received_lead()
    lead.accept(factories.deal_terms(), by=ALICE, now=NOW + days(1))
    return lead


def test_each_lifecycle_state_maps_to_a_status_and_substatus():
    received, informational = factories.received_lead(), factories.received_lead(factories.GET_IT_NOW)
    declined = factories.received_lead()
    declined.decline(Reason.SPAM, "Not real.", by=ALICE, now=NOW)
    won, lost, expired = accepted(), accepted(), factories.received_lead()
    won.close(Outcome.WON, None, "", by=ALICE, now=NOW + days(2))
    lost.close(Outcome.LOST, Reason.BUDGET_NOT_ADEQUATE, "", by=ALICE, now=NOW + days(2))
    expired.expire(now=NOW + days(15))
    found = [tuple(s.value for s in status_of(lead))
             for lead in (received, informational, accepted(), declined, won, lost, expired)]
    assert found == [("New", "Received"), ("New", "Pending"), ("Active", "Accepted"), ("Closed", "Declined"),
                     ("Closed", "Won"), ("Closed", "Lost"), ("Closed", "Expired")]


def test_a_received_lead_is_named_by_its_company_and_an_accepted_one_by_its_deal():
    document = referral(factories.received_lead(), [])
    assert (document["name"], document["type"], document["direction"]) == ("Fabrikam Srl", "Independent", "Incoming")
    assert document["details"] == {"notes": "We need a CRM.", "dealValue": None, "currency": None,
                                   "closingDateTime": None}
    assert document["createdDateTime"] == document["updatedDateTime"] == "2026-03-02T09:30:00Z"
    lead = accepted()
    document = referral(lead, [Member("alice@contoso.it", "Alice Rossi")])
    assert document["name"] == "Fabrikam CRM rollout"
    assert document["details"] == {"notes": "Call booked for Thursday; they want a pilot first.",
                                   "dealValue": 25000.0, "currency": "EUR",
                                   "closingDateTime": "2026-06-30T00:00:00Z"}
    assert document["team"] == [{"firstName": "Alice", "lastName": "Rossi", "email": "alice@contoso.it"}]
    assert document["updatedDateTime"] == "2026-03-03T09:30:00Z" and document["eTag"] == lead.etag


def test_an_expired_referral_withholds_the_contact_details():
    lead = factories.received_lead()
    lead.expire(now=NOW + days(15))
    profile = referral(lead, [])["customerProfile"]
    assert profile["name"] == "Fabrikam Srl" and profile["team"] == []
    assert "giulia" not in str(referral(lead, [])).lower()


def test_select_keeps_only_the_fields_asked_for():
    assert selected(referral(factories.received_lead(), []), ("id", "status")) == {"id": "lead-1", "status": "New"}


def test_filter_values_mean_lead_columns():
    assert column_terms("status", "New") == {"status": "received"}
    assert column_terms("substatus", "Pending") == {"status": "received", "informational": True}
    assert column_terms("substatus", "Received") == {"status": "received", "informational": False}
    assert column_terms("substatus", "Won") == {"outcome": "won"}
    assert column_terms("qualification", "SalesQualified") == {"qualification": "sales"}
    assert column_terms("customerProfile/address/country", "it") == {"customer_country": "IT"}
    assert column_terms("direction", "Incoming") is True and column_terms("type", "CoSell") is False


def received_document():
    return referral(factories.received_lead(), [])


def test_setting_active_accepts_with_the_document_after_the_patch():
    patch = read_patch([
        {"op": "replace", "path": "/status", "value": "Active"},
        {"op": "replace", "path": "/details/dealValue", "value": 1200.5},
        {"op": "replace", "path": "/details/currency", "value": "EUR"},
        {"op": "replace", "path": "/details/closingDateTime", "value": "2026-06-30T00:00:00Z"},
        {"op": "replace", "path": "/details/notes", "value": "Pilot first."},
        {"op": "add", "path": "/team/-", "value": {"email": "bob@contoso.it", "firstName": "Bob"}},
    ])
    assert plan(received_document(), patch) == Accept("Fabrikam Srl", Decimal("1200.50"), "EUR", date(2026, 6, 30),
                                                     "Pilot first.", (TeamMember("bob@contoso.it", "Bob"),))


def test_accepting_without_the_deal_fields_lists_each():
    with pytest.raises(InvalidInput) as caught:
        plan(received_document(), read_patch([{"op": "replace", "path": "/substatus", "value": "Accepted"}]))
    assert set(caught.value.fields) == {"details/dealValue", "details/currency", "details/closingDateTime",
                                        "details/notes"}


def test_closed_declined_declines_with_the_reason_and_notes():
    patch = read_patch([{"op": "replace", "path": "/status", "value": "Closed"},
                        {"op": "replace", "path": "/substatus", "value": "Declined"},
                        {"op": "replace", "path": "/statusReason", "value": "spam"},
                        {"op": "replace", "path": "/details/notes", "value": "Fake."}])
    assert plan(received_document(), patch) == Decline(Reason.SPAM, "Fake.")
    with pytest.raises(InvalidInput) as caught:
        plan(received_document(), read_patch([{"op": "replace", "path": "/substatus", "value": "Declined"}]))
    assert set(caught.value.fields) == {"statusReason", "details/notes"}


def test_won_and_lost_close_and_lost_needs_a_reason():
    current = referral(accepted(), [])
    won = read_patch([{"op": "replace", "path": "/substatus", "value": "Won"}])
    assert plan(current, won) == Close(Outcome.WON, None, "")
    with pytest.raises(InvalidInput) as caught:
        plan(current, read_patch([{"op": "replace", "path": "/substatus", "value": "Lost"}]))
    assert set(caught.value.fields) == {"statusReason"}
    with pytest.raises(InvalidInput, match="substatus"):
        plan(current, read_patch([{"op": "replace", "path": "/status", "value": "Closed"}]))


def test_details_alone_edit_the_deal():
    current = referral(accepted(), [])
    patch = read_patch([{"op": "replace", "path": "/details/dealValue", "value": "30000"},
                        {"op": "replace", "path": "/details/notes", "value": "Bigger."}])
    assert plan(current, patch) == Edit({"notes": "Bigger.", "value": Money(Decimal("30000.00"), "EUR")})


def test_moves_no_action_makes_are_refused():
    with pytest.raises(InvalidTransition):
        plan(referral(accepted(), []), read_patch([{"op": "replace", "path": "/status", "value": "New"}]))
    with pytest.raises(InvalidInput, match="does not go with"):
        plan(received_document(), read_patch([{"op": "replace", "path": "/status", "value": "Active"},
                                              {"op": "replace", "path": "/substatus", "value": "Won"}]))


@pytest.mark.parametrize(("body", "named"), [
    ({"op": "replace"}, "JSON Patch"),
    ([], "JSON Patch"),
    ([{"op": "remove", "path": "/status"}], "'remove'"),
    ([{"op": "replace", "path": "/name", "value": "x"}], "'/name'"),
    ([{"op": "move", "from": "/a", "path": "/status"}], "'move'"),
])
def test_unsupported_patches_are_refused_by_name(body, named):
    with pytest.raises(UnsupportedQuery, match=named):
        read_patch(body)


def test_team_members_are_partner_users_by_email():
    members = (TeamMember("Bob@Contoso.it"), TeamMember("alice@contoso.it"))
    assert team_ids(members, {"bob@contoso.it": "u-bob", "alice@contoso.it": "u-alice"}) == ("u-bob", "u-alice")
    with pytest.raises(InvalidInput, match="eve@contoso.it"):
        team_ids((TeamMember("eve@contoso.it"),), {})
