"""Who am I, my partner's users and locations, and the inbound keys Referrals admins hand out."""

from tests.e2e.conftest import is_problem


def test_me_describes_the_caller(client, partner_a, seller):
    me = client.get("/api/v1/me", headers=partner_a.reader.headers).json()
    assert me == {"id": partner_a.reader.id, "email": partner_a.reader.principal.email, "name": "",
                  "partner_id": partner_a.id, "roles": ["referrals-user"], "language": None,
                  "notification_email": None, "new_lead_emails": "each"}
    assert client.get("/api/v1/me", headers=seller.headers).json()["partner_id"] is None


def test_a_partner_lists_its_own_users_to_pick_team_members(client, partner_a, partner_b):
    users = client.get("/api/v1/partner/users", headers=partner_a.reader.headers).json()
    assert {u["id"] for u in users} == {partner_a.admin.id, partner_a.reader.id}


def test_program_staff_have_no_partner_users_or_locations(client, seller):
    is_problem(client.get("/api/v1/partner/users", headers=seller.headers), 403, "forbidden")
    is_problem(client.get("/api/v1/partner/locations", headers=seller.headers), 403, "forbidden")


def test_an_admin_rotates_an_inbound_key_and_the_old_one_stops_working(client, partner_a):
    location_id, old_key = partner_a.tenant.location_id, partner_a.tenant.inbound_key
    locations = client.get("/api/v1/partner/locations", headers=partner_a.admin.headers).json()
    assert locations[0]["id"] == location_id and locations[0]["inbound_key_created_at"] is not None
    as_reader = client.get("/api/v1/partner/locations", headers=partner_a.reader.headers).json()
    assert as_reader[0]["inbound_key_created_at"] is None
    url = f"/api/v1/partner/locations/{location_id}/inbound-key"
    is_problem(client.post(url, headers=partner_a.reader.headers), 403, "forbidden")
    fresh = client.post(url, headers=partner_a.admin.headers).json()
    assert fresh["inbound_key"] != old_key and fresh["inbound_url"].endswith(fresh["inbound_key"])
    payload = {"UserDetails": {"Company": "Fabrikam", "Email": "a@fabrikam.it"}, "ActionCode": "PLT"}
    is_problem(client.post(f"/inbound/marketplace/{old_key}", json=payload), 404, "not_found")
    assert client.post(f"/inbound/marketplace/{fresh['inbound_key']}", json=payload).status_code == 201
    is_problem(client.post("/api/v1/partner/locations/nope/inbound-key", headers=partner_a.admin.headers),
               404, "not_found")
