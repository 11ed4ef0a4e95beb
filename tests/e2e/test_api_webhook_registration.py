"""The vendor-compatible registration at /webhooks/v1/registration: one per partner, by its Referrals admin, with our
bearer tokens; notices in the vendor's shape, signed with the `Secret` the registration answers."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from referrals.config import Settings, get_settings
from referrals.services.webhook_delivery import deliver
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests.e2e.conftest import Clock, accept_body, is_problem, new_lead_body
from tests.webhooks import receiver, verifies

PATH = "/webhooks/v1/registration"
BASE = "https://referrals.example.com"


@pytest.fixture
def client(engine: Engine, clock: Clock, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("REFERRALS_BASE_URL", BASE)
    get_settings.cache_clear()
    app = create_app(Settings(database_url="sqlite://", webhook_allow_hosts="127.0.0.1"), engine=engine)
    app.dependency_overrides[get_now] = lambda: clock.now
    with TestClient(app) as test_client:
        yield test_client
    get_settings.cache_clear()


def test_a_registered_partner_gets_created_and_updated_notices_signed_with_its_secret(client, engine, clock,
                                                                                     partner_a, seller):
    admin = partner_a.admin.headers
    with receiver() as box:
        response = client.post(PATH, headers=admin, json={"WebhookUrl": box.url,
                                                          "WebhookEvents": ["referral-created", "referral-updated"]})
        assert response.status_code == 201, response.text
        secret = response.json()["Secret"]
        assert secret.startswith("whsec_")
        assert client.get(PATH, headers=admin).json() == {
            "WebhookUrl": box.url, "WebhookEvents": ["referral-created", "referral-updated"]}
        lead_id = client.post("/api/v1/leads", headers=seller.headers, json=new_lead_body(partner_a.id)).json()["id"]
        client.post(f"/api/v1/leads/{lead_id}/accept", headers=admin, json=accept_body(partner_a.admin.id))
        deliver(engine, clock=lambda: clock.now, allow_hosts=["127.0.0.1"])
    created, updated = (r.json for r in box.requests)
    assert created == {"EventName": "referral-created",
                       "ResourceUri": f"{BASE}/v1.0/engagements/referrals/{lead_id}", "ResourceName": "referral",
                       "AuditUri": None, "ResourceChangeUtcDate": created["ResourceChangeUtcDate"]}
    assert created["ResourceChangeUtcDate"].endswith("Z")
    assert updated["EventName"] == "referral-updated"
    assert all(verifies(r, secret) for r in box.requests)


def test_one_registration_per_partner_replaced_by_the_next_and_deleted(client, partner_a, partner_b):
    admin = partner_a.admin.headers
    first = client.post(PATH, headers=admin, json={"WebhookUrl": "https://a.example.com/1",
                                                   "WebhookEvents": ["referral-created"]})
    second = client.post(PATH, headers=admin, json={"WebhookUrl": "https://a.example.com/2",
                                                    "WebhookEvents": ["referral-updated"]})
    assert first.status_code == second.status_code == 201
    assert client.get(PATH, headers=admin).json()["WebhookUrl"] == "https://a.example.com/2"
    is_problem(client.get(PATH, headers=partner_b.admin.headers), 404, "not_found")
    assert client.delete(PATH, headers=admin).status_code == 204
    is_problem(client.get(PATH, headers=admin), 404, "not_found")


def test_a_registration_is_refused_for_bad_events_private_addresses_and_non_admins(client, partner_a):
    admin = partner_a.admin.headers
    bad = client.post(PATH, headers=admin, json={"WebhookUrl": "https://a.example.com/", "WebhookEvents": ["x"]})
    assert "x" in is_problem(bad, 422, "validation_error")["detail"]
    private = client.post(PATH, headers=admin, json={"WebhookUrl": "https://10.0.0.1/",
                                                     "WebhookEvents": ["referral-created"]})
    assert "private" in is_problem(private, 422, "validation_error")["detail"]
    reader = client.post(PATH, headers=partner_a.reader.headers,
                         json={"WebhookUrl": "https://a.example.com/", "WebhookEvents": ["referral-created"]})
    is_problem(reader, 403, "forbidden")
