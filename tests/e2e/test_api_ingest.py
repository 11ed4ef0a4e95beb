"""The program's ingestion API: POST /api/v1/leads and /api/v1/leads/batch."""

from referrals.domain.enums import Role
from tests.e2e.conftest import is_problem, lead_count, new_lead_body, user


def test_a_seller_sends_a_qualified_lead_to_a_partner(client, engine, seller, partner_a):
    response = client.post("/api/v1/leads", headers=seller.headers, json=new_lead_body(partner_a.id))
    assert response.status_code == 201, response.text
    lead = response.json()
    assert lead["partner_id"] == partner_a.id and lead["location_id"] == partner_a.tenant.location_id
    assert lead["qualification"] == "sales" and lead["type"] is None and lead["status"] == "received"
    assert lead["referrer"] == {"kind": "staff", "id": seller.id, "email": seller.principal.email}
    assert response.headers["ETag"] == lead["etag"]
    # and the partner sees it in its qualified tab
    listed = client.get("/api/v1/leads?tab=qualified", headers=partner_a.reader.headers).json()
    assert [item["id"] for item in listed["items"]] == [lead["id"]]


def test_the_same_external_id_answers_the_existing_lead_and_creates_nothing(client, engine, seller, partner_a):
    body = new_lead_body(partner_a.id, external_id="crm-42")
    first = client.post("/api/v1/leads", headers=seller.headers, json=body)
    again = client.post("/api/v1/leads", headers=seller.headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert lead_count(engine) == 1


def test_a_malformed_customer_email_or_phone_never_rejects_a_lead(client, seller, partner_a):
    customer = {"company": "Fabrikam", "email": "not-an-email", "phone": "call me maybe", "country": "IT"}
    response = client.post("/api/v1/leads", headers=seller.headers,
                           json=new_lead_body(partner_a.id, customer=customer))
    assert response.status_code == 201, response.text
    assert response.json()["email_validity"] == "invalid"
    assert response.json()["phone_validity"] in ("invalid", "unknown")


def test_partner_users_and_admins_cannot_send_leads(client, engine, partner_a):
    for caller in (partner_a.admin, partner_a.reader):
        response = client.post("/api/v1/leads", headers=caller.headers, json=new_lead_body(partner_a.id))
        is_problem(response, 403, "forbidden")
    assert lead_count(engine) == 0


def test_an_offer_lead_needs_its_call_to_action(client, engine, seller, partner_a):
    body = new_lead_body(partner_a.id, qualification="direct", type="offer", source="appsource")
    problem = is_problem(client.post("/api/v1/leads", headers=seller.headers, json=body), 422, "validation_error")
    assert "call_to_action" in problem["fields"]
    assert lead_count(engine) == 0


def test_missing_fields_bad_enums_and_unknown_partners_are_refused_by_name(client, engine, seller, partner_a):
    cases = [
        ({k: v for k, v in new_lead_body(partner_a.id).items() if k != "customer"}, "customer"),
        (new_lead_body(partner_a.id, source="myspace"), "source"),
        (new_lead_body(partner_a.id, customer={"company": "X", "company_size": "huge"}), "customer.company_size"),
        (new_lead_body(partner_a.id, customer={"title": "CTO"}), "customer"),
        (new_lead_body("no-such-partner"), "partner_id"),
        (new_lead_body(partner_a.id, location_id="elsewhere"), "location_id"),
    ]
    for body, field in cases:
        problem = is_problem(client.post("/api/v1/leads", headers=seller.headers, json=body), 422, "validation_error")
        assert field in problem["fields"], (field, problem)
    assert lead_count(engine) == 0


def test_a_batch_accepts_or_rejects_each_lead_on_its_own(client, engine, partner_a):
    admin = user(engine, None, Role.PROGRAM_ADMIN)
    leads = [
        new_lead_body(partner_a.id, external_id="a"),
        new_lead_body(partner_a.id, source="myspace"),  # bad enum
        new_lead_body(partner_a.id, type="offer"),  # qualified leads have no type
        new_lead_body(partner_a.id, external_id="a"),  # same as the first
        new_lead_body(partner_a.id, customer={"company": "Tailspin", "email": "@@"}),
    ]
    response = client.post("/api/v1/leads/batch", headers=admin.headers, json={"leads": leads})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["result"] for r in body["results"]] == ["created", "rejected", "rejected", "existing", "created"]
    assert (body["created"], body["existing"], body["rejected"]) == (2, 1, 2)
    assert "source" in body["results"][1]["problem"]["fields"]
    assert "type" in body["results"][2]["problem"]["fields"]
    assert body["results"][3]["lead_id"] == body["results"][0]["lead_id"]
    assert lead_count(engine) == 2


def test_a_batch_holds_at_most_1000_leads(client, engine, seller, partner_a):
    leads = [{"partner_id": partner_a.id}] * 1001
    response = client.post("/api/v1/leads/batch", headers=seller.headers, json={"leads": leads})
    problem = is_problem(response, 422, "validation_error")
    assert "leads" in problem["fields"]
    assert lead_count(engine) == 0


def test_a_partner_cannot_send_a_batch(client, engine, partner_a):
    response = client.post("/api/v1/leads/batch", headers=partner_a.admin.headers,
                           json={"leads": [new_lead_body(partner_a.id)]})
    is_problem(response, 403, "forbidden")
    assert lead_count(engine) == 0
