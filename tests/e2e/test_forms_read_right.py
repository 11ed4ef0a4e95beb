"""Forms that read right: errors in whole sentences (in English and Italian), every missing field of the program's
send-a-lead form at once, and no estimated purchase date before the partner's today, in the API and the pages."""

import re

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services.reading import get_lead
from tests import factories
from tests.e2e.conftest import accept_body, is_problem
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app


def errors_shown(html: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="error" id="err-([^"]+)">([^<]+)</span>', html))


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    admin_id = add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ugo@contoso.example", language="it")
    add_person(engine, None, Role.PROGRAM_SELLER, email="sam@program.example")
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=factories.NOW - factories.days(1))
    return tenant, admin_id, lead


def browser_for(engine: Engine, email: str) -> Browser:
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, email)
    return browser


def test_the_send_a_lead_form_reports_every_missing_field_at_once(engine, world):
    seller = browser_for(engine, "sam@program.example")
    seller.get("/program/send")
    missing = seller.post("/program/send", {"partner_id": "", "qualification": "", "company": "", "email": ""})
    assert missing.status_code == 422
    assert errors_shown(missing.text) == {
        "partner_id": "Choose a partner.", "qualification": "Choose the kind of lead.",
        "company": "Enter at least a company, a last name or an email.",
    }


def test_accepting_in_the_pages_with_a_past_purchase_date_is_refused_in_a_sentence(engine, world):
    tenant, admin_id, lead = world
    form = {"deal_name": "", "amount": "1000", "currency": "EUR", "team_member_ids": [admin_id],
            "purchase_date": "2020-01-31", "notes": ""}
    for email, expected in (
        ("ada@contoso.example", {"deal_name": "Enter the deal name.", "notes": "Enter notes.",
                                 "purchase_date": "Choose today or a later date: the estimated purchase date "
                                                  "cannot be in the past."}),
        ("ugo@contoso.example", {"deal_name": "Inserisci il nome della trattativa.", "notes": "Inserisci le note.",
                                 "purchase_date": "Scegli oggi o una data successiva: la data di acquisto prevista "
                                                  "non può essere nel passato."}),
    ):
        refused = browser_for(engine, email).post(f"/leads/{lead.id}/accept", form)
        assert refused.status_code == 422
        assert errors_shown(refused.text) == expected
    assert get_lead(engine, tenant.admin, lead.id).lead.status == "received"


def test_the_api_refuses_a_past_purchase_date_on_accept_and_on_a_date_change(client, engine, partner_a, clock):
    lead = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    url, headers = f"/api/v1/leads/{lead.id}", partner_a.admin.headers
    past = client.post(f"{url}/accept", json=accept_body(partner_a.admin.id, estimated_purchase_date="2020-01-31"),
                       headers=headers)
    problem = is_problem(past, 422, "validation_error")
    assert problem["fields"]["estimated_purchase_date"].startswith("must be on or after 2026-03-02")
    today = client.post(f"{url}/accept", json=accept_body(partner_a.admin.id, estimated_purchase_date="2026-03-02"),
                        headers=headers)
    assert today.status_code == 200, today.text
    # when the agreed date has passed, other edits still save, and the date only moves forward
    clock.now = factories.NOW + factories.days(10)
    assert client.patch(f"{url}/deal", json={"notes": "Slipped."}, headers=headers).status_code == 200
    backwards = client.patch(f"{url}/deal", json={"estimated_purchase_date": "2026-03-05"}, headers=headers)
    is_problem(backwards, 422, "validation_error")
    forwards = client.patch(f"{url}/deal", json={"estimated_purchase_date": "2026-04-30"}, headers=headers)
    assert forwards.status_code == 200 and forwards.json()["deal"]["estimated_purchase_date"] == "2026-04-30"
