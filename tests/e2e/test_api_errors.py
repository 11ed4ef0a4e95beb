"""Authentication, oversize and non-JSON bodies, and the OpenAPI document with its offline docs."""

from tests.e2e.conftest import MAX_BODY, accept_body, is_problem, lead_count, new_lead_body


def test_no_token_or_a_bad_token_is_401(client, contact_me):
    for headers in ({}, {"Authorization": "Bearer rfl_nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/leads", headers=headers)
        is_problem(response, 401, "unauthenticated")
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_stops_working(client, engine, partner_a):
    from sqlalchemy import update

    from referrals.services.auth import hash_token
    from referrals.store.tables import api_tokens
    from tests import factories

    with engine.begin() as conn:
        conn.execute(update(api_tokens).where(api_tokens.c.token_hash == hash_token(partner_a.admin.token))
                     .values(revoked_at=factories.NOW))
    is_problem(client.get("/api/v1/me", headers=partner_a.admin.headers), 401, "unauthenticated")


def test_an_oversize_body_is_413_and_changes_nothing(client, engine, seller, partner_a, contact_me):
    big = new_lead_body(partner_a.id, message="x" * (MAX_BODY + 1))
    is_problem(client.post("/api/v1/leads", headers=seller.headers, json=big), 413, "payload_too_large")
    chunks = (part for part in [b'{"notes": "', b"y" * MAX_BODY, b'"}'])  # no Content-Length: counted as it comes
    response = client.post(f"/api/v1/leads/{contact_me.id}/decline",
                           headers={**partner_a.admin.headers, "Content-Type": "application/json"}, content=chunks)
    is_problem(response, 413, "payload_too_large")
    assert lead_count(engine) == 1
    assert client.get(f"/api/v1/leads/{contact_me.id}", headers=partner_a.admin.headers).json()["status"] == "received"


def test_a_non_json_body_is_400_naming_the_problem(client, partner_a, contact_me):
    url = f"/api/v1/leads/{contact_me.id}/accept"
    broken = client.post(url, headers={**partner_a.admin.headers, "Content-Type": "application/json"},
                         content=b'{"deal_name": ')
    assert "not valid JSON" in is_problem(broken, 400, "invalid_json")["detail"]
    form = client.post(url, headers=partner_a.admin.headers, data={"deal_name": "x"})
    assert "must be JSON" in is_problem(form, 400, "invalid_json")["detail"]
    ok = client.post(url, headers=partner_a.admin.headers, json=accept_body(partner_a.admin.id))
    assert ok.status_code == 200


def test_unknown_fields_are_refused_by_name(client, partner_a, contact_me):
    body = {"reason": "spam", "notes": "x", "colour": "red"}
    response = client.post(f"/api/v1/leads/{contact_me.id}/decline", headers=partner_a.admin.headers, json=body)
    assert "colour" in is_problem(response, 422, "validation_error")["fields"]


def test_the_openapi_document_and_offline_docs(client):
    document = client.get("/openapi.json").json()
    assert "/api/v1/leads/{lead_id}/accept" in document["paths"]
    assert "/inbound/marketplace/{inbound_key}" in document["paths"]
    assert "LeadPublic" in document["components"]["schemas"]
    docs = client.get("/docs").text
    assert "swagger" in docs.lower() and "cdn.jsdelivr" not in docs
