"""The marketplace lead-destination payload at POST /inbound/marketplace/{inbound_key}."""

from datetime import timedelta

import pytest

from tests.e2e.conftest import is_problem, lead_count


def payload(**overrides) -> dict:
    body = {
        "UserDetails": {"FirstName": "Some", "LastName": "One", "Email": "someone@contoso.com",
                        "Phone": "16175555555", "Country": "United States", "Company": "Contoso", "Title": "CTO"},
        "LeadSource": "AzureMarketplace-PLT|publisher.offer",
        "ActionCode": "PLT",
        "OfferTitle": "Contoso CRM",
        "Description": "Please call me about 40 seats.",
    }
    body.update(overrides)
    return body


@pytest.fixture
def url(partner_a) -> str:
    return f"/inbound/marketplace/{partner_a.tenant.inbound_key}"


def _lead(client, partner, receipt):
    return client.get(f"/api/v1/leads/{receipt['lead_id']}", headers=partner.reader.headers).json()


def test_a_contact_me_payload_becomes_an_urgent_offer_lead(client, engine, url, partner_a):
    response = client.post(url, json=payload())
    assert response.status_code == 201, response.text
    lead = _lead(client, partner_a, response.json())
    assert (lead["type"], lead["call_to_action"], lead["source"]) == ("offer", "contact_me", "azure_marketplace")
    assert lead["offer"] == {"id": "publisher.offer", "title": "Contoso CRM"}
    assert lead["customer"]["country"] == "US" and lead["urgency"] == "hot"
    assert lead["location_id"] == partner_a.tenant.location_id and lead["is_test"] is False


@pytest.mark.parametrize(("code", "source", "expected"), [
    ("INS", "AzureMarketplace", ("get_it_now", "azure_marketplace")),
    ("StartTestDrive", "AppSource", ("test_drive", "appsource")),
    ("Create", "AzurePortal", ("get_it_now", "azure_portal")),
    ("DNC", "AzureMarketplace", ("get_it_now", "azure_marketplace")),
])
def test_action_codes_map_to_calls_to_action_and_sources(client, url, partner_a, code, source, expected):
    response = client.post(url, json=payload(ActionCode=code, LeadSource=f"{source}-{code}|p.o"))
    assert response.status_code == 201, response.text
    lead = _lead(client, partner_a, response.json())
    assert (lead["call_to_action"], lead["source"]) == expected and lead["informational"] is True
    if code == "DNC":  # the customer declined contact: no email or phone is kept on the lead
        assert lead["customer"]["email"] == lead["customer"]["phone"] == ""


def test_the_same_payload_within_24_hours_creates_nothing_new(client, engine, clock, url):
    first = client.post(url, json=payload())
    clock.now += timedelta(hours=23)
    again = client.post(url, json=dict(reversed(list(payload().items()))))  # key order does not matter
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["lead_id"] == first.json()["lead_id"] and lead_count(engine) == 1
    clock.now += timedelta(hours=2)
    assert client.post(url, json=payload()).status_code == 201 and lead_count(engine) == 2


def test_msft_test_payloads_are_kept_as_test_leads(client, url, partner_a):
    details = {**payload()["UserDetails"], "FirstName": "MSFT_TEST_Jane"}
    receipt = client.post(url, json=payload(UserDetails=details)).json()
    assert receipt["is_test"] is True and _lead(client, partner_a, receipt)["is_test"] is True


def test_the_raw_payload_is_kept(client, engine, url):
    from sqlalchemy import select

    from referrals.store.tables import leads

    body = payload(Extra={"Campaign": "spring"})
    client.post(url, json=body)
    with engine.connect() as conn:
        assert conn.execute(select(leads.c.raw_payload)).scalar_one() == body


def test_country_codes_and_unknown_names(client, url, partner_a):
    for country, expected in (("ITA", "IT"), ("de", "DE"), ("Atlantis", None)):
        details = {**payload()["UserDetails"], "Country": country, "Company": f"Contoso {country}"}
        receipt = client.post(url, json=payload(UserDetails=details)).json()
        assert _lead(client, partner_a, receipt)["customer"]["country"] == expected


def test_a_malformed_email_is_kept_and_judged_invalid(client, url, partner_a):
    details = {**payload()["UserDetails"], "Email": "someone at contoso"}
    receipt = client.post(url, json=payload(UserDetails=details)).json()
    assert _lead(client, partner_a, receipt)["email_validity"] == "invalid"


@pytest.mark.parametrize(("body", "field"), [
    (payload(ActionCode="Telepathy", LeadSource="AzureMarketplace"), "ActionCode"),
    (payload(ActionCode=None, LeadSource="AzureMarketplace"), "ActionCode"),
    (payload(LeadSource="MySpace-INS|x.y", ActionCode="INS"), "LeadSource"),
    ({k: v for k, v in payload().items() if k != "UserDetails"}, "UserDetails"),
    (payload(UserDetails={"FirstName": "Only"}), "UserDetails"),
    (payload(UserDetails={"Company": ["not", "text"]}), "UserDetails.Company"),
])
def test_bad_payloads_get_a_4xx_naming_the_problem(client, engine, url, body, field):
    problem = is_problem(client.post(url, json=body), 422, "validation_error")
    assert field in problem["fields"], problem
    if field == "ActionCode" and body["ActionCode"]:
        assert "Telepathy" in problem["detail"]
    assert lead_count(engine) == 0


def test_non_json_bodies_are_refused_by_name(client, engine, url):
    broken = client.post(url, content=b'{"UserDetails": ', headers={"Content-Type": "application/json"})
    assert "JSON" in is_problem(broken, 400, "invalid_json")["detail"]
    text = client.post(url, content=b"FirstName=Some", headers={"Content-Type": "text/plain"})
    assert "text/plain" in is_problem(text, 400, "invalid_json")["detail"]
    assert lead_count(engine) == 0


def test_unknown_keys_answer_404(client, engine):
    is_problem(client.post("/inbound/marketplace/ik_guess", json=payload()), 404, "not_found")
    assert lead_count(engine) == 0


def test_a_flood_on_one_key_is_rate_limited(client, app, url):
    from referrals.web.ratelimit import Limiters

    app.state.inbound_limiter = Limiters().limit("inbound", "2/minute")
    assert [client.post(url, json=payload()).status_code for _ in range(2)] == [201, 200]
    limited = client.post(url, json=payload())
    is_problem(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
