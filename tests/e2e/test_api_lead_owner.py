"""Lead owners over HTTP: assigning and unassigning with the admin role, If-Match and history; refusals that name
the problem and change nothing; `owner` in every lead answer; the owner filter; assignment rules per location."""

from sqlalchemy import select

from referrals.domain.enums import Reason, Role
from referrals.services.lifecycle import decline_lead
from referrals.store.db import reading
from referrals.store.tables import outbox
from tests import factories
from tests.e2e.conftest import is_problem, user


def _owner(client, partner, lead_id, user_id, **headers):
    return client.put(f"/api/v1/leads/{lead_id}/owner", json={"user_id": user_id},
                      headers={**partner.admin.headers, **headers})


def _lead(client, partner, lead_id):
    return client.get(f"/api/v1/leads/{lead_id}", headers=partner.admin.headers).json()


def test_an_admin_assigns_a_lead_and_the_owner_is_told(client, engine, partner_a, contact_me):
    # given a received lead and a Referrals user of the same partner
    response = _owner(client, partner_a, contact_me.id, partner_a.reader.id, **{"If-Match": contact_me.etag})
    # then the lead names its owner, has a new etag and a history entry, and the owner has an email queued
    assert response.status_code == 200, response.text
    lead = response.json()
    assert lead["owner"] == {"id": partner_a.reader.id, "email": partner_a.reader.principal.email, "name": ""}
    assert response.headers["ETag"] == lead["etag"] != contact_me.etag
    entry = _lead(client, partner_a, contact_me.id)["history"][-1]
    assert (entry["action"], entry["actor_id"]) == ("assigned", partner_a.admin.id)
    with reading(engine) as conn:
        sent = conn.execute(select(outbox.c.recipient).where(outbox.c.template == "lead_assigned")).scalars()
        assert list(sent) == [partner_a.reader.principal.email]
    # and the owner, a Referrals user, reads it but still may not act on it
    seen = client.get(f"/api/v1/leads/{contact_me.id}", headers=partner_a.reader.headers).json()
    assert seen["owner"]["id"] == partner_a.reader.id and seen["allowed_actions"] == []


def test_unassigning_leaves_the_lead_without_an_owner(client, partner_a, contact_me):
    assert _owner(client, partner_a, contact_me.id, partner_a.admin.id).status_code == 200
    response = client.delete(f"/api/v1/leads/{contact_me.id}/owner", headers=partner_a.admin.headers)
    assert response.status_code == 200 and response.json()["owner"] is None
    assert [e["action"] for e in _lead(client, partner_a, contact_me.id)["history"]] == [
        "received", "assigned", "unassigned"]


def test_an_owner_must_be_an_active_user_of_the_leads_partner(client, engine, partner_a, partner_b, contact_me):
    for stranger in (partner_b.admin.id, "nosuchuser", "NOT-AN-ID"):
        body = is_problem(_owner(client, partner_a, contact_me.id, stranger), 422, "validation_error")
        assert "user_id" in body["fields"]
    assert _lead(client, partner_a, contact_me.id)["etag"] == contact_me.etag


def test_an_archived_lead_cannot_be_assigned_and_a_stale_etag_is_refused(client, engine, partner_a, contact_me):
    stale = _owner(client, partner_a, contact_me.id, partner_a.admin.id, **{"If-Match": '"nope.1"'})
    is_problem(stale, 412, "precondition_failed")
    decline_lead(engine, partner_a.tenant.admin, contact_me.id, Reason.SPAM, "Bot.", now=factories.NOW)
    is_problem(_owner(client, partner_a, contact_me.id, partner_a.admin.id), 409, "invalid_transition")
    assert _lead(client, partner_a, contact_me.id)["owner"] is None


def test_only_the_partners_admins_assign(client, partner_a, partner_b, contact_me):
    is_problem(client.put(f"/api/v1/leads/{contact_me.id}/owner", json={"user_id": partner_a.reader.id},
                          headers=partner_a.reader.headers), 403, "forbidden")
    is_problem(client.put(f"/api/v1/leads/{contact_me.id}/owner", json={"user_id": partner_b.admin.id},
                          headers=partner_b.admin.headers), 404, "not_found")


def test_the_owner_filter_finds_my_leads_nobodys_and_a_colleagues(client, engine, partner_a, contact_me):
    mine = factories.ingest(engine, factories.PROFILE, partner_a.id)
    theirs = factories.ingest(engine, factories.SALES, partner_a.id)
    _owner(client, partner_a, mine.id, partner_a.admin.id)
    _owner(client, partner_a, theirs.id, partner_a.reader.id)

    def ids(**params):
        response = client.get("/api/v1/leads", params=params, headers=partner_a.admin.headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids(owner="me") == {mine.id}
    assert ids(owner="none") == {contact_me.id}
    assert ids(owner=partner_a.reader.id) == {theirs.id}
    listed = client.get("/api/v1/leads", params={"owner": "me"}, headers=partner_a.admin.headers).json()
    assert listed["items"][0]["owner"]["id"] == partner_a.admin.id
    counted = client.get("/api/v1/leads/counts", params={"owner": "me"}, headers=partner_a.admin.headers)
    assert counted.status_code == 200 and sum(counted.json().values()) >= 1
    is_problem(client.get("/api/v1/leads", params={"owner": "BAD ID"}, headers=partner_a.admin.headers),
               422, "validation_error")
    export = client.get("/api/v1/leads/export.csv", params={"owner": "me"}, headers=partner_a.admin.headers)
    lines = export.text.strip().splitlines()
    assert len(lines) == 2 and "Owner" in lines[0].split(",") and partner_a.admin.principal.email in lines[1]


def test_a_location_rule_is_read_by_the_team_and_set_by_admins(client, engine, partner_a, partner_b):
    colleague = user(engine, partner_a.id, Role.REFERRALS_USER)
    path = f"/api/v1/partner/locations/{partner_a.tenant.location_id}/assignment"
    assert client.get(path, headers=partner_a.reader.headers).json() == {
        "location_id": partner_a.tenant.location_id, "mode": "manual", "members": [], "max_open_per_member": None}
    rule = {"mode": "round_robin", "members": [partner_a.admin.id, colleague.id], "max_open_per_member": 5}
    is_problem(client.put(path, json=rule, headers=partner_a.reader.headers), 403, "forbidden")
    saved = client.put(path, json=rule, headers=partner_a.admin.headers)
    assert saved.status_code == 200 and saved.json()["members"] == rule["members"]
    bad = client.put(path, json={**rule, "members": [partner_b.admin.id]}, headers=partner_a.admin.headers)
    assert "members" in is_problem(bad, 422, "validation_error")["fields"]
    is_problem(client.put(path, json={**rule, "mode": "random"}, headers=partner_a.admin.headers),
               422, "validation_error")
    is_problem(client.get(path, headers=partner_b.admin.headers), 404, "not_found")
    # new leads follow the rule
    made = [factories.ingest(engine, factories.CONTACT_ME, partner_a.id) for _ in range(2)]
    assert [_lead(client, partner_a, lead.id)["owner"]["id"] for lead in made] == rule["members"]
