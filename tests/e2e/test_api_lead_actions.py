"""A Referrals admin's actions: accept, decline, edit the deal, add employees, close; with roles, ETags,
archived leads and refusals that change nothing."""

from datetime import timedelta

from referrals.services.reading import get_lead
from tests import factories
from tests.e2e.conftest import accept_body, is_problem


def _lead(client, partner, lead_id):
    return client.get(f"/api/v1/leads/{lead_id}", headers=partner.admin.headers).json()


def _accept(client, partner, lead_id, **overrides):
    return client.post(f"/api/v1/leads/{lead_id}/accept", headers=partner.admin.headers,
                       json=accept_body(partner.admin.id, **overrides))


def test_an_admin_accepts_a_lead_and_its_deal_opens(client, partner_a, contact_me):
    response = _accept(client, partner_a, contact_me.id)
    assert response.status_code == 200, response.text
    lead = response.json()
    assert lead["status"] == "accepted" and lead["accepted_at"] == "2026-03-02T09:30:00Z"
    assert lead["deal"]["estimated_value"] == {"amount": "25000.00", "currency": "EUR"}
    assert lead["deal"]["team_member_ids"] == [partner_a.admin.id]
    assert response.headers["ETag"] == lead["etag"] != contact_me.etag
    history = _lead(client, partner_a, contact_me.id)["history"]
    assert [entry["action"] for entry in history] == ["received", "accepted"]
    assert history[1]["actor_id"] == partner_a.admin.id


def test_a_referrals_user_can_read_but_not_act(client, partner_a, contact_me):
    headers = partner_a.reader.headers
    attempts = [
        ("post", "accept", accept_body(partner_a.admin.id)),
        ("post", "decline", {"reason": "spam", "notes": "bot"}),
        ("patch", "deal", {"notes": "x"}),
        ("post", "deal/employees", {"name": "Anna", "email": "anna@contoso.it"}),
        ("post", "close", {"outcome": "won"}),
    ]
    for method, path, body in attempts:
        response = getattr(client, method)(f"/api/v1/leads/{contact_me.id}/{path}", headers=headers, json=body)
        is_problem(response, 403, "forbidden")
    assert _lead(client, partner_a, contact_me.id)["etag"] == contact_me.etag


def test_accepting_needs_every_required_field(client, partner_a, contact_me):
    body = accept_body(partner_a.admin.id)
    for missing in ("deal_name", "estimated_value", "team_member_ids", "estimated_purchase_date", "notes"):
        partial = {k: v for k, v in body.items() if k != missing}
        response = client.post(f"/api/v1/leads/{contact_me.id}/accept", headers=partner_a.admin.headers,
                               json=partial)
        assert missing in is_problem(response, 422, "validation_error")["fields"]
    assert _lead(client, partner_a, contact_me.id)["status"] == "received"


def test_accept_refuses_bad_values_by_field_and_changes_nothing(client, partner_a, partner_b, contact_me):
    bad = [
        ({"estimated_value": {"amount": "10", "currency": "ZZZ"}}, "estimated_value.currency"),
        ({"estimated_value": {"amount": "-1", "currency": "EUR"}}, "estimated_value.amount"),
        ({"team_member_ids": [partner_b.admin.id]}, "team_member_ids"),
        ({"team_member_ids": []}, "team_member_ids"),
        ({"customer_contacts": [{"first_name": "M", "last_name": "B", "email": "not-an-email"}]},
         "customer_contacts[0].email"),
        ({"notes": "   "}, "notes"),
    ]
    for overrides, field in bad:
        problem = is_problem(_accept(client, partner_a, contact_me.id, **overrides), 422, "validation_error")
        assert field in problem["fields"], (field, problem)
    assert _lead(client, partner_a, contact_me.id)["status"] == "received"


def test_decline_needs_a_known_reason_and_notes(client, partner_a, contact_me):
    url, headers = f"/api/v1/leads/{contact_me.id}/decline", partner_a.admin.headers
    assert "reason" in is_problem(client.post(url, headers=headers, json={"reason": "bored", "notes": "x"}),
                                  422, "validation_error")["fields"]
    assert "notes" in is_problem(client.post(url, headers=headers, json={"reason": "other", "notes": ""}),
                                 422, "validation_error")["fields"]
    response = client.post(url, headers=headers, json={"reason": "chose_another_vendor", "notes": "Went local."})
    assert response.status_code == 200, response.text
    lead = response.json()
    assert (lead["status"], lead["outcome"]) == ("archived", "declined")
    assert lead["closing"] == {"reason": "chose_another_vendor", "notes": "Went local."}


def test_an_archived_lead_refuses_every_action_and_stays_as_it_was(client, partner_a, contact_me):
    declined = client.post(f"/api/v1/leads/{contact_me.id}/decline", headers=partner_a.admin.headers,
                           json={"reason": "spam", "notes": "Phishing."}).json()
    for path, body in [("accept", accept_body(partner_a.admin.id)), ("decline", {"reason": "spam", "notes": "x"}),
                       ("close", {"outcome": "won"}), ("deal/employees", {"name": "A", "email": "a@b.it"})]:
        response = client.post(f"/api/v1/leads/{contact_me.id}/{path}", headers=partner_a.admin.headers, json=body)
        assert "archived" in is_problem(response, 409, "invalid_transition")["detail"]
    response = client.patch(f"/api/v1/leads/{contact_me.id}/deal", headers=partner_a.admin.headers,
                            json={"notes": "x"})
    is_problem(response, 409, "invalid_transition")
    assert _lead(client, partner_a, contact_me.id)["etag"] == declined["etag"]


def test_informational_leads_need_no_answer(client, engine, partner_a):
    lead = factories.ingest(engine, factories.GET_IT_NOW, partner_a.id)
    response = _accept(client, partner_a, lead.id)
    assert "informational" in is_problem(response, 409, "invalid_transition")["detail"]


def test_a_lead_past_its_deadline_cannot_be_accepted(client, clock, partner_a, contact_me):
    clock.now = contact_me.response_due_at + timedelta(minutes=1)
    is_problem(_accept(client, partner_a, contact_me.id), 409, "invalid_transition")


def test_deal_edits_employees_and_closing(client, partner_a, contact_me):
    url, headers = f"/api/v1/leads/{contact_me.id}", partner_a.admin.headers
    etag = _accept(client, partner_a, contact_me.id).json()["etag"]
    edited = client.patch(f"{url}/deal", headers={**headers, "If-Match": etag},
                          json={"estimated_value": {"amount": "30000", "currency": "USD"}, "crm_id": "CRM-9"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["deal"]["estimated_value"] == {"amount": "30000.00", "currency": "USD"}
    assert edited.json()["deal"]["deal_name"] == "Fabrikam CRM rollout"
    bad = client.post(f"{url}/deal/employees", headers=headers, json={"name": "Anna", "email": "anna@"})
    assert "email" in is_problem(bad, 422, "validation_error")["fields"]
    added = client.post(f"{url}/deal/employees", headers=headers,
                        json={"name": "Anna Verdi", "email": "anna@contoso.it", "phone": "+39 06 555"})
    assert added.json()["deal"]["employees"] == [{"name": "Anna Verdi", "email": "anna@contoso.it",
                                                  "phone": "+39 06 555"}]
    lost = client.post(f"{url}/close", headers=headers, json={"outcome": "lost"})
    assert "reason" in is_problem(lost, 422, "validation_error")["fields"]
    closed = client.post(f"{url}/close", headers=headers, json={"outcome": "lost", "reason": "budget_not_adequate"})
    assert (closed.json()["status"], closed.json()["outcome"]) == ("archived", "lost")


def test_an_empty_or_null_deal_patch_is_refused(client, partner_a, contact_me):
    _accept(client, partner_a, contact_me.id)
    url, headers = f"/api/v1/leads/{contact_me.id}/deal", partner_a.admin.headers
    is_problem(client.patch(url, headers=headers, json={}), 422, "validation_error")
    problem = is_problem(client.patch(url, headers=headers, json={"deal_name": None}), 422, "validation_error")
    assert "deal_name" in problem["fields"]


def test_a_stale_if_match_gets_412_and_changes_nothing(client, partner_a, contact_me):
    headers = {**partner_a.admin.headers, "If-Match": '"stale.0"'}
    response = client.post(f"/api/v1/leads/{contact_me.id}/accept", headers=headers,
                           json=accept_body(partner_a.admin.id))
    is_problem(response, 412, "precondition_failed")
    assert _lead(client, partner_a, contact_me.id)["status"] == "received"
    headers["If-Match"] = contact_me.etag
    ok = client.post(f"/api/v1/leads/{contact_me.id}/accept", headers=headers, json=accept_body(partner_a.admin.id))
    assert ok.status_code == 200, ok.text


def test_concurrent_actions_have_one_winner_and_the_loser_gets_409(client, engine, partner_a, contact_me):
    from concurrent.futures import ThreadPoolExecutor

    def decline(_):
        return client.post(f"/api/v1/leads/{contact_me.id}/decline", headers=partner_a.admin.headers,
                           json={"reason": "spam", "notes": "Bot."})

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(r.status_code for r in pool.map(decline, range(4)))
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409}, statuses
    history = get_lead(engine, partner_a.tenant.admin, contact_me.id).history
    assert [entry["action"] for entry in history] == ["received", "declined"]
