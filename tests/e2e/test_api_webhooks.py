"""Webhooks through the API with a real receiver on 127.0.0.1 (allowed by REFERRALS_WEBHOOK_ALLOW_HOSTS, as an
operator would): registration, signed events, retries driven by the test clock, rotation, and tenant isolation."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.services.webhook_delivery import deliver
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests.e2e.conftest import Clock, accept_body, is_problem, new_lead_body, user
from tests.webhooks import receiver, verifies

ALLOW = "127.0.0.1"


@pytest.fixture
def client(engine: Engine, clock: Clock) -> Iterator[TestClient]:
    app = create_app(Settings(database_url="sqlite://", webhook_allow_hosts=ALLOW), engine=engine)
    app.dependency_overrides[get_now] = lambda: clock.now
    with TestClient(app) as test_client:
        yield test_client


def drain(engine: Engine, clock: Clock):
    return deliver(engine, clock=lambda: clock.now, allow_hosts=[ALLOW])


def register(client, who, url: str, events: list[str], **more) -> dict:
    response = client.post("/api/v1/webhooks", headers=who.headers, json={"url": url, "events": events, **more})
    assert response.status_code == 201, response.text
    return response.json()


def new_lead(client, seller, partner) -> str:
    response = client.post("/api/v1/leads", headers=seller.headers, json=new_lead_body(partner.id))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_receiver_gets_the_created_and_accepted_events_of_a_lead_each_signed(client, engine, clock, partner_a,
                                                                               seller):
    with receiver() as box:
        hook = register(client, partner_a.admin, box.url, ["lead.created", "lead.accepted"])
        assert hook["secret"].startswith("whsec_") and hook["active"] is True
        lead_id = new_lead(client, seller, partner_a)
        accepted = client.post(f"/api/v1/leads/{lead_id}/accept", headers=partner_a.admin.headers,
                               json=accept_body(partner_a.admin.id))
        assert accepted.status_code == 200, accepted.text
        report = drain(engine, clock)
    assert report.delivered == 2
    assert [r.json["type"] for r in box.requests] == ["lead.created", "lead.accepted"]
    assert all(verifies(r, hook["secret"]) for r in box.requests)
    assert len({r.id for r in box.requests}) == 2
    created, accepted_event = (r.json for r in box.requests)
    assert created["data"]["id"] == lead_id and created["data"]["status"] == "received"
    assert accepted_event["data"]["status"] == "accepted"
    assert accepted_event["data"]["deal"]["deal_name"] == "Fabrikam CRM rollout"
    assert "favorite" not in created["data"] and "allowed_actions" not in created["data"]
    assert int(box.requests[0].headers["webhook-timestamp"]) == int(clock.now.timestamp())


def test_a_failed_delivery_comes_again_with_the_same_id_within_90_seconds(client, engine, clock, partner_a, seller):
    with receiver(500) as box:
        hook = register(client, partner_a.admin, box.url, ["lead.created"])
        new_lead(client, seller, partner_a)
        failed_at = clock.now
        assert drain(engine, clock).retried == 1
        log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=partner_a.admin.headers).json()
        [item] = log["items"]
        assert item["status_code"] == 500 and item["ok"] is False and item["attempts"] == 1
        assert item["next_attempt_at"] is not None
        clock.now = failed_at + timedelta(seconds=29)
        assert drain(engine, clock).delivered == 0  # not before 30 s
        clock.now = failed_at + timedelta(seconds=60)  # the next minute's drain
        assert drain(engine, clock).delivered == 1
    first, second = box.requests
    assert first.id == second.id and first.body == second.body
    assert int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) <= 90
    [item] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=partner_a.admin.headers).json()["items"]
    assert item["ok"] is True and item["attempts"] == 2 and item["status_code"] == 200
    assert item["next_attempt_at"] is None


@pytest.mark.parametrize(("url", "reason"), [
    ("https://10.0.0.5/hook", "10.0.0.5 is a private address"),
    ("https://192.168.1.20/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://localhost/hook", "loopback"),
    ("http://hooks.example.com/hook", "must use https"),
])
def test_a_url_on_a_private_address_is_refused_with_422_naming_the_reason(client, engine, partner_a, url, reason):
    response = client.post("/api/v1/webhooks", headers=partner_a.admin.headers,
                           json={"url": url, "events": ["lead.created"]})
    body = is_problem(response, 422, "validation_error")
    assert reason in body["detail"]
    assert client.get("/api/v1/webhooks", headers=partner_a.admin.headers).json()["items"] == []


def test_unknown_events_are_refused_naming_them(client, partner_a):
    response = client.post("/api/v1/webhooks", headers=partner_a.admin.headers,
                           json={"url": "https://hooks.example.com/x", "events": ["lead.eaten"]})
    assert "lead.eaten" in is_problem(response, 422, "validation_error")["detail"]


def test_after_a_rotation_requests_carry_two_signatures_one_per_secret(client, engine, clock, partner_a):
    with receiver() as box:
        hook = register(client, partner_a.admin, box.url, ["*"])
        rotated = client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=partner_a.admin.headers)
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret != hook["secret"] and new_secret.startswith("whsec_")
        sent = client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=partner_a.admin.headers)
        assert sent.status_code == 202
        drain(engine, clock)
        clock.now += timedelta(hours=24, minutes=1)  # a day later only the new secret signs
        client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=partner_a.admin.headers)
        drain(engine, clock)
    first, later = box.requests
    assert first.json["type"] == "webhook.test" and first.json["data"] == {"webhook_id": hook["id"]}
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    assert verifies(first, new_secret) and verifies(first, hook["secret"])
    assert later.headers["webhook-signature"].count("v1,") == 1
    assert verifies(later, new_secret) and not verifies(later, hook["secret"])


def test_the_list_shows_no_secrets_and_delete_stops_deliveries(client, engine, clock, partner_a, seller):
    with receiver() as box:
        hook = register(client, partner_a.admin, box.url, ["lead.created"], description="CRM")
        [listed] = client.get("/api/v1/webhooks", headers=partner_a.admin.headers).json()["items"]
        assert "secret" not in listed and listed["description"] == "CRM" and listed["events"] == ["lead.created"]
        new_lead(client, seller, partner_a)
        assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=partner_a.admin.headers).status_code == 204
        drain(engine, clock)
    assert box.requests == []
    assert client.get("/api/v1/webhooks", headers=partner_a.admin.headers).json()["items"] == []


def test_redelivery_sends_the_same_event_again(client, engine, clock, partner_a, seller):
    with receiver() as box:
        hook = register(client, partner_a.admin, box.url, ["lead.created"])
        new_lead(client, seller, partner_a)
        drain(engine, clock)
        log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=partner_a.admin.headers).json()
        [item] = log["items"]
        again = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{item['id']}/redeliver",
                            headers=partner_a.admin.headers)
        assert again.status_code == 202, again.text
        drain(engine, clock)
    assert [r.id for r in box.requests] == [item["id"], item["id"]]


def test_a_partner_admin_never_sees_another_partners_webhooks_or_deliveries(client, engine, clock, partner_a,
                                                                            partner_b, seller):
    with receiver() as box:
        hook = register(client, partner_a.admin, box.url, ["*"])
        new_lead(client, seller, partner_b)  # B's lead reaches nobody of A
        drain(engine, clock)
        new_lead(client, seller, partner_a)
        drain(engine, clock)
    assert len(box.requests) == 1 and box.requests[0].json["data"]["partner_id"] == partner_a.id
    delivery = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=partner_a.admin.headers).json()
    delivery_id = delivery["items"][0]["id"]
    b = partner_b.admin.headers
    assert client.get("/api/v1/webhooks", headers=b).json()["items"] == []
    for method, path in [("get", ""), ("delete", ""), ("post", "/test"), ("post", "/rotate-secret"),
                         ("get", "/deliveries"), ("post", f"/deliveries/{delivery_id}/redeliver")]:
        response = getattr(client, method)(f"/api/v1/webhooks/{hook['id']}{path}", headers=b)
        is_problem(response, 404, "not_found")
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=partner_a.admin.headers).status_code == 200


def test_only_admins_manage_webhooks(client, partner_a, seller):
    for who in (partner_a.reader, seller):
        response = client.get("/api/v1/webhooks", headers=who.headers)
        is_problem(response, 403, "forbidden")


def test_a_program_admins_webhook_hears_every_partner_or_only_those_it_names(client, engine, clock, partner_a,
                                                                             partner_b, seller):
    admin = user(engine, None, Role.PROGRAM_ADMIN)
    with receiver() as everyone, receiver() as only_b:
        register(client, admin, everyone.url, ["lead.created"])
        register(client, admin, only_b.url, ["lead.created"], partner_ids=[partner_b.id])
        new_lead(client, seller, partner_a)
        new_lead(client, seller, partner_b)
        drain(engine, clock)
    assert sorted(r.json["data"]["partner_id"] for r in everyone.requests) == sorted([partner_a.id, partner_b.id])
    assert [r.json["data"]["partner_id"] for r in only_b.requests] == [partner_b.id]
    assert client.get("/api/v1/webhooks", headers=partner_a.admin.headers).json()["items"] == []
    refused = client.post("/api/v1/webhooks", headers=partner_a.admin.headers,
                          json={"url": "https://hooks.example.com/x", "events": ["*"], "partner_ids": [partner_b.id]})
    is_problem(refused, 422, "validation_error")
