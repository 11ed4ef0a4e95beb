"""The action center and the outbox over HTTP."""

from referrals.domain.enums import Role
from tests import factories
from tests.e2e.conftest import accept_body, is_problem, user


def test_new_leads_needing_an_answer_appear_unread_for_each_admin_and_leave_when_acted_on(
    client, engine, partner_a
):
    waiting = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    other = factories.ingest(engine, factories.SALES, partner_a.id)
    factories.ingest(engine, factories.FREE_TRIAL, partner_a.id)  # informational: no action needed
    second_admin = user(engine, partner_a.id, Role.REFERRALS_ADMIN)

    center = client.get("/api/v1/notifications", headers=partner_a.admin.headers).json()
    assert center["unread"] == 2 and center["waiting"] == 2
    assert {item["lead_id"] for item in center["items"]} == {waiting.id, other.id}
    assert {item["read"] for item in center["items"]} == {False}
    hot = next(item for item in center["items"] if item["lead_id"] == waiting.id)
    assert hot["urgency"] == "hot"

    marked = client.post("/api/v1/notifications/read", json={"lead_ids": [waiting.id]},
                         headers=partner_a.admin.headers)
    assert marked.json() == {"unread": 1}
    assert client.get("/api/v1/notifications", headers=second_admin.headers).json()["unread"] == 2  # per user

    accepted = client.post(f"/api/v1/leads/{other.id}/accept", json=accept_body(partner_a.admin.id),
                           headers=partner_a.admin.headers)
    assert accepted.status_code == 200, accepted.text
    after = client.get("/api/v1/notifications", headers=partner_a.admin.headers).json()
    assert after["unread"] == 0 and [item["lead_id"] for item in after["items"]] == [waiting.id]
    assert client.post("/api/v1/notifications/read", json={}, headers=second_admin.headers).json() == {"unread": 0}


def test_the_action_center_is_for_referrals_admins_of_the_partner_only(client, engine, partner_a, partner_b, seller):
    factories.ingest(engine, factories.CONTACT_ME, partner_a.id)

    assert client.get("/api/v1/notifications", headers=partner_b.admin.headers).json()["unread"] == 0
    is_problem(client.get("/api/v1/notifications", headers=partner_a.reader.headers), 403, "forbidden")
    is_problem(client.get("/api/v1/notifications", headers=seller.headers), 403, "forbidden")
    is_problem(client.get("/api/v1/notifications"), 401, "unauthenticated")


def test_program_admins_see_the_outbox_and_can_retry_a_failed_email(client, engine, partner_a, seller):
    program_admin = user(engine, None, Role.PROGRAM_ADMIN)
    factories.ingest(engine, factories.CONTACT_ME, partner_a.id)

    pending = client.get("/api/v1/outbox?status=pending", headers=program_admin.headers).json()
    assert [(m["template"], m["recipient"]) for m in pending] == [("new_lead", partner_a.admin.principal.email)]
    is_problem(client.get("/api/v1/outbox", headers=seller.headers), 403, "forbidden")
    is_problem(client.get("/api/v1/outbox", headers=partner_a.admin.headers), 403, "forbidden")
    is_problem(client.post(f"/api/v1/outbox/{pending[0]['id']}/retry", headers=program_admin.headers),
               404, "not_found")  # only failed messages can be retried


def test_a_failed_email_can_be_sent_again(client, engine, partner_a):
    from sqlalchemy import update

    from referrals.store.db import writing
    from referrals.store.tables import outbox

    program_admin = user(engine, None, Role.PROGRAM_ADMIN)
    factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    with writing(engine) as conn:
        conn.execute(update(outbox).values(status="failed", attempts=10, last_error="550 No such mailbox"))
    [failed] = client.get("/api/v1/outbox?status=failed", headers=program_admin.headers).json()
    assert failed["last_error"] == "550 No such mailbox"

    assert client.post(f"/api/v1/outbox/{failed['id']}/retry", headers=program_admin.headers).status_code == 204

    [again] = client.get("/api/v1/outbox", headers=program_admin.headers).json()
    assert (again["status"], again["attempts"]) == ("pending", 0)
