"""Bulk actions over the API: by ids or by a list query, a result per lead, the single action's problems, the
customers' decline emails through a real SMTP server, jobs over more than 1,000 leads; on both databases."""

import pytest
from sqlalchemy import func, select

from referrals.adapters.smtp import SmtpMailer
from referrals.config import Settings
from referrals.domain.enums import Reason
from referrals.services import bulk
from referrals.services.lifecycle import decline_lead
from referrals.services.outbox import drain
from referrals.store.tables import lead_history
from tests import factories
from tests.e2e.conftest import is_problem
from tests.smtp import SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DECLINE = {"reason": "chose_another_vendor", "notes": "The customer went with a local firm."}


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _leads(engine, partner_id, n, kind=factories.CONTACT_ME, prefix="c", **overrides):
    return [factories.ingest(engine, kind, partner_id, customer={"email": f"{prefix}{i}@fabrikam.it", **overrides},
                             external_id=f"{partner_id}-{prefix}-{i}") for i in range(n)]


def _history_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(lead_history)).scalar_one()


def _get(client, partner, lead_id):
    return client.get(f"/api/v1/leads/{lead_id}", headers=partner.admin.headers).json()


def test_bulk_decline_of_40_ids_declines_the_32_it_may_and_answers_each_of_the_8_it_may_not(
        client, engine, partner_a, partner_b, smtp):
    received = _leads(engine, partner_a.id, 32)
    archived = _leads(engine, partner_a.id, 5, prefix="old")
    for lead in archived:
        decline_lead(engine, partner_a.tenant.admin, lead.id, Reason.SPAM, "Phishing.", now=factories.NOW)
    theirs = _leads(engine, partner_b.id, 3, prefix="b")
    mailer = SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="noreply@referrals.example"))
    drain(engine, mailer, now=factories.NOW)  # the new-lead and the five earlier decline emails
    smtp.recorder.messages.clear()
    before = {lead.id: _get(client, partner_a, lead.id)["etag"] for lead in archived}
    history_before = _history_count(engine)
    ids = [lead.id for lead in received + archived + theirs]

    response = client.post("/api/v1/leads/bulk", headers=partner_a.admin.headers,
                           json={"action": "decline", "ids": ids, "params": DECLINE})

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["succeeded"], answer["failed"]) == (32, 8)
    assert [item["id"] for item in answer["results"]] == ids
    by_id = {item["id"]: item for item in answer["results"]}
    for lead in received:
        assert by_id[lead.id] == {"id": lead.id, "result": "done", "problem": None}
    for lead in archived:
        problem = by_id[lead.id]["problem"]
        assert by_id[lead.id]["result"] == "failed"
        assert (problem["status"], problem["code"]) == (409, "invalid_transition") and "archived" in problem["detail"]
        assert problem["type"] == "urn:referrals:problem:invalid_transition"
    for lead in theirs:
        problem = by_id[lead.id]["problem"]
        assert problem == {"type": "urn:referrals:problem:not_found", "title": "Not found", "status": 404,
                           "code": "not_found", "detail": "No such lead.", "fields": {}}
        single = client.post(f"/api/v1/leads/{lead.id}/decline", headers=partner_a.admin.headers, json=DECLINE)
        assert is_problem(single, 404, "not_found") == problem  # the very answer of the single action
    for lead in received:
        assert _get(client, partner_a, lead.id)["outcome"] == "declined"
    assert {lead.id: _get(client, partner_a, lead.id)["etag"] for lead in archived} == before
    for lead in theirs:
        assert _get(client, partner_b, lead.id)["status"] == "received"
    assert _history_count(engine) == history_before + 32

    drain(engine, mailer, now=factories.NOW)
    told = sorted(str(message["To"]) for message in smtp.recorder.messages)
    assert told == sorted(f"c{i}@fabrikam.it" for i in range(32))


def test_bulk_by_filter_acts_on_exactly_the_leads_the_list_shows(client, engine, partner_a, partner_b):
    italian = _leads(engine, partner_a.id, 4, prefix="it", country="IT")
    _leads(engine, partner_a.id, 3, prefix="de", country="DE")
    _leads(engine, partner_a.id, 2, kind=factories.GET_IT_NOW, prefix="info", country="IT")  # no status
    _leads(engine, partner_b.id, 2, prefix="b", country="IT")
    decline_lead(engine, partner_a.tenant.admin, italian[0].id, Reason.SPAM, "Bot.", now=factories.NOW)
    query = {"tab": "marketplace", "country": ["IT"], "status": ["received"]}
    listed = client.get("/api/v1/leads", params={**query, "limit": 200}, headers=partner_a.admin.headers).json()
    shown = [item["id"] for item in listed["items"]]
    assert len(shown) == 3

    response = client.post("/api/v1/leads/bulk", headers=partner_a.reader.headers,
                           json={"action": "favorite", "filter": query})

    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["results"]] == shown
    assert response.json()["succeeded"] == 3
    hearts = client.get("/api/v1/leads", params={"tab": "favorites"}, headers=partner_a.reader.headers).json()
    assert sorted(item["id"] for item in hearts["items"]) == sorted(shown)
    mine = client.get("/api/v1/leads", params={"tab": "favorites"}, headers=partner_a.admin.headers).json()
    assert mine["items"] == []  # hearts are each user's own


def test_unfavorite_in_bulk_takes_the_hearts_off(client, engine, partner_a):
    leads = _leads(engine, partner_a.id, 3)
    ids = [lead.id for lead in leads]
    client.post("/api/v1/leads/bulk", headers=partner_a.admin.headers, json={"action": "favorite", "ids": ids})
    response = client.post("/api/v1/leads/bulk", headers=partner_a.admin.headers,
                           json={"action": "unfavorite", "ids": ids[:2]})
    assert response.json()["succeeded"] == 2
    hearts = client.get("/api/v1/leads", params={"tab": "favorites"}, headers=partner_a.admin.headers).json()
    assert [item["id"] for item in hearts["items"]] == [ids[2]]


def test_a_referrals_user_may_heart_in_bulk_but_not_decline(client, engine, partner_a):
    [lead] = _leads(engine, partner_a.id, 1)
    response = client.post("/api/v1/leads/bulk", headers=partner_a.reader.headers,
                           json={"action": "decline", "ids": [lead.id], "params": DECLINE})
    is_problem(response, 403, "forbidden")
    assert _get(client, partner_a, lead.id)["status"] == "received"


def test_a_bulk_request_missing_what_it_needs_is_refused_by_name(client, engine, partner_a):
    [lead] = _leads(engine, partner_a.id, 1)
    url, headers = "/api/v1/leads/bulk", partner_a.admin.headers
    refused = is_problem(client.post(url, headers=headers, json={"action": "decline", "ids": [lead.id]}),
                         422, "validation_error")
    assert {"params.reason", "params.notes"} <= refused["fields"].keys()
    assign = client.post(url, headers=headers, json={"action": "assign", "ids": [lead.id]})
    assert "params.user_id" in is_problem(assign, 422, "validation_error")["fields"]
    both = client.post(url, headers=headers, json={"action": "favorite", "ids": [lead.id], "filter": {}})
    assert "ids" in is_problem(both, 422, "validation_error")["fields"]
    too_many = client.post(url, headers=headers, json={"action": "favorite", "ids": [lead.id] * 1001})
    assert "ids" in is_problem(too_many, 422, "validation_error")["fields"]
    unknown = client.post(url, headers=headers, json={"action": "delete", "ids": [lead.id]})
    assert "action" in is_problem(unknown, 422, "validation_error")["fields"]
    assert _get(client, partner_a, lead.id)["status"] == "received"


def test_a_filter_past_the_limit_is_refused_naming_it(client, engine, partner_a, monkeypatch):
    monkeypatch.setattr(bulk, "MOST", 2)
    _leads(engine, partner_a.id, 3)
    response = client.post("/api/v1/leads/bulk", headers=partner_a.admin.headers,
                           json={"action": "favorite", "filter": {"tab": "marketplace"}})
    problem = is_problem(response, 422, "validation_error")
    assert "filter" in problem["fields"] and "more than 2 leads" in problem["detail"]


def test_a_job_over_more_than_1000_leads_reports_progress_and_then_the_same_answer(
        client, engine, partner_a, partner_b, monkeypatch):
    monkeypatch.setattr(bulk, "AT_ONCE", 5)  # the job path, at the size of a test
    leads = _leads(engine, partner_a.id, 8, prefix="job")
    decline_lead(engine, partner_a.tenant.admin, leads[3].id, Reason.SPAM, "Bot.", now=factories.NOW)
    query = {"tab": "marketplace", "sort": "created_at"}

    started = client.post("/api/v1/leads/bulk", headers=partner_a.admin.headers,
                          json={"action": "decline", "filter": query, "params": DECLINE})

    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    assert started.json()["total"] == 8
    url = f"/api/v1/leads/bulk/{job_id}"
    waiting = client.get(url, headers=partner_a.reader.headers).json()
    assert (waiting["status"], waiting["total"], waiting["processed"], waiting["results"]) == ("queued", 8, 0, [])
    is_problem(client.get(url, headers=partner_b.admin.headers), 404, "not_found")

    assert bulk.run_job(engine, partner_a.id, job_id, clock=lambda: factories.NOW)

    done = client.get(url, headers=partner_a.admin.headers).json()
    assert (done["status"], done["processed"], done["succeeded"], done["failed"]) == ("done", 8, 7, 1)
    listed = client.get("/api/v1/leads", params=query, headers=partner_a.admin.headers).json()["items"]
    assert [item["id"] for item in done["results"]] == [item["id"] for item in listed]  # in the list's order
    [refused] = [item for item in done["results"] if item["result"] == "failed"]
    assert (refused["id"], refused["problem"]["code"]) == (leads[3].id, "invalid_transition")
    assert done["finished_at"] == "2026-03-02T09:30:00Z"
    first = client.get(url, params={"limit": 5}, headers=partner_a.admin.headers).json()
    rest = client.get(url, params={"after": first["next_after"]}, headers=partner_a.admin.headers).json()
    assert first["results"] + rest["results"] == done["results"] and rest["next_after"] is None
