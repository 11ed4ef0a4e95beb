"""The lead filter over HTTP, declared once (domain/listing.py: FILTERS): every declared filter is a parameter of
the list, the counts and the export; `outcome`, `spam` and `q` work there; an unknown parameter is a 422 that names
it; and every lead says which actions its reader may take."""

import csv
import io

import pytest

from referrals.domain.enums import Outcome, Reason
from referrals.domain.listing import FILTERS
from referrals.services.lifecycle import accept_lead, close_lead, decline_lead
from referrals.services.sweep import sweep
from tests import factories
from tests.e2e.conftest import is_problem

ROUTES = ["/api/v1/leads", "/api/v1/leads/counts", "/api/v1/leads/export.csv"]


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def _exported(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {row["LeadId"] for row in csv.DictReader(io.StringIO(response.text))}


def _won_and_declined(engine, partner):
    won, lost, declined = (factories.ingest(engine, factories.SALES, partner.id) for _ in range(3))
    for lead in (won, lost):
        accept_lead(engine, partner.tenant.admin, lead.id, factories.deal_terms((partner.admin.id,)),
                    now=factories.NOW)
    close_lead(engine, partner.tenant.admin, won.id, Outcome.WON, None, "", now=factories.NOW)
    close_lead(engine, partner.tenant.admin, lost.id, Outcome.LOST, Reason.TIMELINE_TOO_SHORT, "", now=factories.NOW)
    decline_lead(engine, partner.tenant.admin, declined.id, Reason.NOT_A_CUSTOMER, "no", now=factories.NOW)
    return won, lost, declined


def test_every_declared_filter_is_a_parameter_of_the_list_the_counts_and_the_export(client):
    # given the app's OpenAPI document
    paths = client.get("/openapi.json").json()["paths"]
    # then each route takes exactly the declared filters (plus its own tab, sort and paging, and the export's bom)
    for route in ROUTES:
        names = {p["name"] for p in paths[route]["get"]["parameters"] if p["in"] == "query"}
        assert {f.name for f in FILTERS} <= names, route
        assert names - {f.name for f in FILTERS} <= {"tab", "sort", "limit", "cursor", "bom"}, route


def test_the_outcome_filter_returns_only_won_leads_in_the_list_and_the_export(client, engine, partner_a):
    won, _lost, _declined = _won_and_declined(engine, partner_a)
    headers = partner_a.reader.headers
    assert _ids(client.get("/api/v1/leads?outcome=won", headers=headers)) == {won.id}
    assert _exported(client.get("/api/v1/leads/export.csv?outcome=won", headers=headers)) == {won.id}
    counts = client.get("/api/v1/leads/counts?outcome=won", headers=headers).json()
    assert counts["qualified"] == 1


def test_the_spam_filter_returns_only_flagged_leads_or_only_clean_ones(client, engine, partner_a):
    flagged = factories.ingest(engine, factories.SALES, partner_a.id)
    clean = factories.ingest(engine, factories.SALES, partner_a.id)
    factories.restamp(engine, partner_a.id, flagged.id, spam=True, spam_reasons=["disposable domain"])
    factories.restamp(engine, partner_a.id, clean.id, spam=False, spam_reasons=[])
    headers = partner_a.reader.headers
    assert _ids(client.get("/api/v1/leads?spam=true", headers=headers)) == {flagged.id}
    assert _ids(client.get("/api/v1/leads?spam=false", headers=headers)) == {clean.id}
    assert _exported(client.get("/api/v1/leads/export.csv?spam=true", headers=headers)) == {flagged.id}


@pytest.mark.parametrize("route, query, name", [
    ("/api/v1/leads", "bogus=1", "bogus"),
    ("/api/v1/leads/export.csv", "outcme=won", "outcme"),
    ("/api/v1/leads/counts", "sort=customer&statuss=received", "statuss"),
    ("/api/v1/leads/counts", "limit=5", "limit"),
])
def test_an_unknown_parameter_is_refused_with_422_naming_it(client, engine, partner_a, route, query, name):
    factories.ingest(engine, factories.SALES, partner_a.id)
    problem = is_problem(client.get(f"{route}?{query}", headers=partner_a.reader.headers), 422, "validation_error")
    assert name in problem["fields"]
    assert name in problem["detail"]


def test_two_unknown_parameters_are_both_named(client, partner_a):
    problem = is_problem(client.get("/api/v1/leads?bogus=1&other=2", headers=partner_a.reader.headers), 422,
                         "validation_error")
    assert {"bogus", "other"} <= set(problem["fields"])


def test_search_finds_a_lead_by_email_phone_id_and_external_id_but_not_an_expired_leads_contacts(
        client, engine, partner_a):
    # given a lead with known contacts and ids, and an expired one with the same email domain
    lead = factories.ingest(engine, factories.SALES, partner_a.id, external_id="crm-4711",
                            customer={"email": "giulia.verdi@tailspin.example", "phone": "+39 02 5555 0101"})
    gone = factories.ingest(engine, factories.SALES, partner_a.id, now=factories.NOW - factories.days(15),
                            customer={"email": "mario.rossi@tailspin.example"})
    sweep(engine, now=factories.NOW)
    headers = partner_a.reader.headers

    def found(term: str) -> set[str]:
        return _ids(client.get("/api/v1/leads", params={"q": term}, headers=headers))

    # then the live lead is found by a part of its email or phone, its whole id or its external id
    assert found("giulia.verdi@") == {lead.id}
    assert found("5555 0101") == {lead.id}
    assert found(lead.id) == {lead.id}
    assert found("crm-4711") == {lead.id}
    # and the expired lead's withheld email finds nothing
    assert found("mario.rossi") == set()
    assert gone.id not in found("tailspin.example")


def test_search_finds_a_deal_name_with_accents_in_any_case(client, engine, partner_a):
    # given an accepted lead whose deal name has accents
    lead = factories.ingest(engine, factories.SALES, partner_a.id)
    terms = factories.deal_terms((partner_a.admin.id,), name="Rinnovo Società Müller")
    accept_lead(engine, partner_a.tenant.admin, lead.id, terms, now=factories.NOW)
    # then a part of it is found as typed, and in another case
    for term in ("Società Müller", "società", "rinnovo"):
        assert _ids(client.get("/api/v1/leads", params={"q": term}, headers=partner_a.reader.headers)) == {lead.id}


def _allowed(client, partner, lead_id: str, user: str) -> list[str]:
    response = client.get(f"/api/v1/leads/{lead_id}", headers=getattr(partner, user).headers)
    assert response.status_code == 200, response.text
    return response.json()["allowed_actions"]


def test_allowed_actions_follow_the_lead_and_the_reader(client, engine, partner_a):
    # given a received, an accepted, an archived and an informational lead
    received = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    accepted = factories.ingest(engine, factories.SALES, partner_a.id)
    accept_lead(engine, partner_a.tenant.admin, accepted.id, factories.deal_terms((partner_a.admin.id,)),
                now=factories.NOW)
    archived = factories.ingest(engine, factories.SALES, partner_a.id)
    decline_lead(engine, partner_a.tenant.admin, archived.id, Reason.NOT_A_CUSTOMER, "no", now=factories.NOW)
    informational = factories.ingest(engine, factories.FREE_TRIAL, partner_a.id)
    # then a referrals admin may answer (and assign) the received one and work the accepted one's deal, nothing else
    assert _allowed(client, partner_a, received.id, "admin") == ["accept", "decline", "assign"]
    assert _allowed(client, partner_a, accepted.id, "admin") == ["edit_deal", "add_employee", "close", "assign"]
    assert _allowed(client, partner_a, archived.id, "admin") == []
    assert _allowed(client, partner_a, informational.id, "admin") == []
    # and a referrals user may do none of it
    for lead in (received, accepted, archived, informational):
        assert _allowed(client, partner_a, lead.id, "reader") == []
    # and the list says the same as the detail
    listed = client.get("/api/v1/leads?tab=marketplace", headers=partner_a.admin.headers).json()["items"]
    assert {item["id"]: item["allowed_actions"] for item in listed}[received.id] == ["accept", "decline", "assign"]


def test_an_answer_past_its_deadline_is_not_offered(client, engine, partner_a, clock):
    lead = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    clock.now = factories.NOW + factories.days(15)  # the sweep has not run yet
    assert _allowed(client, partner_a, lead.id, "admin") == []
