"""The business profile and the public directory over HTTP."""

import pytest

from referrals.domain.enums import Role
from tests.e2e.conftest import is_problem, lead_count, user


@pytest.fixture
def editor(engine, partner_a):
    return user(engine, partner_a.id, Role.BUSINESS_PROFILE_ADMIN)


def profile_body(location_id, **overrides):
    body = {
        "name": "Contoso Consulting",
        "description": "ERP and CRM integrations for manufacturers.",
        "website": "https://contoso.example",
        "keywords": ["Fatturazione elettronica", "CRM"],
        "industries": ["manufacturing"],
        "products": ["Contoso CRM"],
        "company_sizes": ["10-49", "50-249"],
        "countries": ["IT", "CH"],
        "published": True,
        "locations": [{"id": location_id, "country": "IT", "city": "Milano", "contact_name": "Luca",
                       "contact_email": "alerts@contoso.it"}],
    }
    body.update(overrides)
    return body


def publish(client, editor, partner_a):
    saved = client.put("/api/v1/profile", json=profile_body(partner_a.tenant.location_id), headers=editor.headers)
    assert saved.status_code == 200, saved.text
    return saved.json()


def test_business_profile_admins_edit_the_profile_and_everyone_in_the_partner_reads_it(client, editor, partner_a,
                                                                                        partner_b):
    publish(client, editor, partner_a)

    seen = client.get("/api/v1/profile", headers=partner_a.reader.headers).json()
    assert seen["keywords"] == ["Fatturazione elettronica", "CRM"] and seen["published"] is True
    refused = client.put("/api/v1/profile", json=profile_body(partner_a.tenant.location_id, name="Hijacked"),
                         headers=partner_a.admin.headers)
    is_problem(refused, 403, "forbidden")
    assert client.get("/api/v1/profile", headers=partner_b.reader.headers).json()["name"] == "Northwind Partners"
    assert client.get("/api/v1/profile", headers=editor.headers).json()["name"] == "Contoso Consulting"


def test_a_sixth_location_in_one_country_is_refused_and_nothing_changes(client, editor, partner_a):
    publish(client, editor, partner_a)
    six = [{"id": partner_a.tenant.location_id, "country": "IT"}]
    six += [{"country": "IT", "city": f"C{i}"} for i in range(5)]

    refused = client.put("/api/v1/profile", json=profile_body(None, locations=six), headers=editor.headers)

    assert "at most 5 locations per country" in is_problem(refused, 422, "validation_error")["fields"]["locations"]
    assert len(client.get("/api/v1/profile", headers=editor.headers).json()["locations"]) == 1


def test_the_public_search_answers_ranked_partners_with_their_location_and_score_parts(client, editor, partner_a):
    publish(client, editor, partner_a)

    results = client.get("/api/v1/directory/search", params={"q": "fatturazióne", "country": "IT"}).json()

    [hit] = results["items"]
    assert hit["partner_id"] == partner_a.id and hit["location"]["id"] == partner_a.tenant.location_id
    assert set(hit["score_parts"]) == {"relevance", "fit", "responsiveness", "preference"}
    assert hit["score"] == pytest.approx(
        hit["score_parts"]["relevance"] * hit["score_parts"]["fit"] * hit["score_parts"]["responsiveness"]
        * hit["score_parts"]["preference"], rel=1e-4)
    assert "contact_email" not in hit["location"]
    profile = client.get(f"/api/v1/directory/{partner_a.id}").json()
    assert "contact_email" not in profile["locations"][0]
    is_problem(client.get("/api/v1/directory/search", params={"industry": "alchemy"}), 422, "validation_error")


def contact_body(location_id, **overrides):
    body = {"location_id": location_id, "company": "Fabrikam Srl", "first_name": "Giulia", "last_name": "Rossi",
            "email": "giulia@fabrikam.it", "phone": "+39 02 1234 5678", "country": "IT", "company_size": "10-49",
            "need": "A CRM for 40 sales people", "consent": True}
    body.update(overrides)
    return body


def test_contact_me_answers_a_receipt_and_creates_one_profile_lead(client, engine, editor, partner_a):
    publish(client, editor, partner_a)

    answer = client.post(f"/api/v1/directory/{partner_a.id}/contact", json=contact_body(partner_a.tenant.location_id))

    assert answer.status_code == 201, answer.text
    assert set(answer.json()) == {"receipt", "message"}
    [lead] = client.get("/api/v1/leads", headers=partner_a.admin.headers).json()["items"]
    assert (lead["type"], lead["location_id"], lead["urgency"]) == ("profile", partner_a.tenant.location_id, "hot")
    assert lead["id"] not in answer.text


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"website": "http://bot.example"}, 422, "validation_error"),  # the honeypot
        ({"consent": False}, 422, "validation_error"),
        ({"email": "not an email"}, 422, "validation_error"),
        ({"need": "x" * 4001}, 422, "validation_error"),
        ({"location_id": "somewhere-else"}, 422, "validation_error"),
    ],
)
def test_a_bad_or_bot_contact_request_is_refused_and_creates_nothing(client, engine, editor, partner_a, change,
                                                                     status, code):
    publish(client, editor, partner_a)

    refused = client.post(f"/api/v1/directory/{partner_a.id}/contact",
                          json={**contact_body(partner_a.tenant.location_id), **change})

    is_problem(refused, status, code)
    assert lead_count(engine) == 0


def test_contact_requests_are_rate_limited_per_address(client, engine, editor, partner_a):
    publish(client, editor, partner_a)
    url = f"/api/v1/directory/{partner_a.id}/contact"
    answers = [client.post(url, json=contact_body(partner_a.tenant.location_id)).status_code for _ in range(7)]

    assert answers[:5] == [201] * 5
    assert answers[5:] == [429, 429]
    assert lead_count(engine) == 5


def test_an_unpublished_or_unknown_partner_is_not_in_the_directory(client, partner_a):
    is_problem(client.get(f"/api/v1/directory/{partner_a.id}"), 404, "not_found")
    is_problem(client.post("/api/v1/directory/nobody/contact", json=contact_body("x")), 404, "not_found")
