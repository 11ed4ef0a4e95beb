"""A partner never sees or touches another partner's leads: every lead route answers 404 to partner B
for partner A's lead, exactly as for an id that does not exist, and nothing changes."""

from tests import factories
from tests.e2e.conftest import accept_body, is_problem


def _lead_routes(lead_id: str, team_member_id: str):
    base = f"/api/v1/leads/{lead_id}"
    return [
        ("get", base, None),
        ("post", f"{base}/accept", accept_body(team_member_id)),
        ("post", f"{base}/decline", {"reason": "spam", "notes": "Not ours."}),
        ("patch", f"{base}/deal", {"notes": "Taking over."}),
        ("post", f"{base}/deal/employees", {"name": "Mallory", "email": "mallory@northwind.example"}),
        ("post", f"{base}/close", {"outcome": "won"}),
        ("put", f"{base}/favorite", None),
        ("delete", f"{base}/favorite", None),
    ]


def _call(client, method, path, body, headers):
    if body is None:
        return getattr(client, method)(path, headers=headers)
    return client.request(method.upper(), path, json=body, headers=headers)


def test_partner_b_gets_404_on_every_route_of_partner_as_lead(client, engine, partner_a, partner_b):
    lead = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    for method, path, body in _lead_routes(lead.id, partner_b.admin.id):
        foreign = _call(client, method, path, body, partner_b.admin.headers)
        unknown = _call(client, method, path.replace(lead.id, "0" * 26), body, partner_b.admin.headers)
        assert is_problem(foreign, 404, "not_found") == is_problem(unknown, 404, "not_found"), path
    # partner A's lead is untouched, and B's lists, counts and export never show it
    assert client.get(f"/api/v1/leads/{lead.id}", headers=partner_a.admin.headers).json()["etag"] == lead.etag
    assert client.get("/api/v1/leads", headers=partner_b.admin.headers).json()["items"] == []
    assert client.get("/api/v1/leads/counts", headers=partner_b.admin.headers).json()["marketplace"] == 0
    export = client.get("/api/v1/leads/export.csv", headers=partner_b.admin.headers).text
    assert lead.id not in export


def test_partner_b_cannot_see_partner_as_users_or_rotate_its_keys(client, partner_a, partner_b):
    users = client.get("/api/v1/partner/users", headers=partner_b.admin.headers).json()
    assert partner_a.admin.id not in {u["id"] for u in users}
    locations = client.get("/api/v1/partner/locations", headers=partner_b.admin.headers).json()
    assert partner_a.tenant.location_id not in {loc["id"] for loc in locations}
    response = client.post(f"/api/v1/partner/locations/{partner_a.tenant.location_id}/inbound-key",
                           headers=partner_b.admin.headers)
    is_problem(response, 404, "not_found")
