"""Saved views through the API: a user saves a list query under a name, optionally shared with the partner; lists
their own and the shared ones; renames and deletes them (creator, or a Referrals admin for a shared view); another
partner's view is 404 and bad input a 422 naming the field. On both databases."""

from sqlalchemy import Engine

from referrals.domain.enums import Role
from tests.e2e.conftest import Partner, is_problem, user

HOT_ITALY = {"tab": "marketplace", "country": ["it"], "status": ["received"], "sort": "response_due_at"}


def _save(client, who, name="Hot in Italy", query=None, shared=False):
    return client.post("/api/v1/views", headers=who.headers,
                       json={"name": name, "query": HOT_ITALY if query is None else query, "shared": shared})


def test_a_saved_view_is_listed_for_its_creator_with_its_query(client, partner_a: Partner):
    response = _save(client, partner_a.reader)

    assert response.status_code == 201, response.text
    saved = response.json()
    assert saved["name"] == "Hot in Italy" and saved["shared"] is False
    assert saved["owner_id"] == partner_a.reader.id
    assert saved["query"] == {"tab": "marketplace", "country": ["IT"], "status": ["received"],
                              "sort": "response_due_at"}
    listed = client.get("/api/v1/views", headers=partner_a.reader.headers).json()
    assert listed == {"items": [saved]}


def test_a_private_view_is_hidden_from_colleagues_and_a_shared_one_is_not(client, partner_a: Partner):
    _save(client, partner_a.reader, name="Mine only")
    shared = _save(client, partner_a.reader, name="For the team", shared=True).json()

    seen = client.get("/api/v1/views", headers=partner_a.admin.headers).json()["items"]

    assert [v["name"] for v in seen] == ["For the team"]
    assert seen[0]["id"] == shared["id"]


def test_another_partners_view_is_not_found_anywhere(client, partner_a: Partner, partner_b: Partner):
    view = _save(client, partner_a.admin, shared=True).json()

    assert client.get("/api/v1/views", headers=partner_b.admin.headers).json() == {"items": []}
    for method in ("GET", "PATCH", "DELETE"):
        response = client.request(method, f"/api/v1/views/{view['id']}", headers=partner_b.admin.headers,
                                  json={"name": "Taken"} if method == "PATCH" else None)
        is_problem(response, 404, "not_found")
    assert client.get(f"/api/v1/views/{view['id']}", headers=partner_a.admin.headers).status_code == 200


def test_the_creator_renames_and_deletes_a_view(client, partner_a: Partner):
    view = _save(client, partner_a.reader).json()

    renamed = client.patch(f"/api/v1/views/{view['id']}", headers=partner_a.reader.headers,
                           json={"name": "  Italy, waiting  ", "shared": True})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {**view, "name": "Italy, waiting", "shared": True}

    gone = client.delete(f"/api/v1/views/{view['id']}", headers=partner_a.reader.headers)
    assert gone.status_code == 204 and gone.content == b""
    assert client.get("/api/v1/views", headers=partner_a.reader.headers).json() == {"items": []}


def test_a_referrals_admin_changes_a_shared_view_but_a_colleague_may_not(client, engine: Engine,
                                                                      partner_a: Partner):
    colleague = user(engine, partner_a.id, Role.REFERRALS_USER)
    shared = _save(client, partner_a.reader, shared=True).json()

    refused = client.patch(f"/api/v1/views/{shared['id']}", headers=colleague.headers, json={"name": "Mine now"})
    is_problem(refused, 403, "forbidden")
    is_problem(client.delete(f"/api/v1/views/{shared['id']}", headers=colleague.headers), 403, "forbidden")

    changed = client.patch(f"/api/v1/views/{shared['id']}", headers=partner_a.admin.headers,
                           json={"query": {"tab": "qualified"}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["query"] == {"tab": "qualified", "sort": "-created_at"}
    assert client.delete(f"/api/v1/views/{shared['id']}", headers=partner_a.admin.headers).status_code == 204


def test_an_admin_cannot_touch_a_colleagues_private_view(client, partner_a: Partner):
    private = _save(client, partner_a.reader).json()

    response = client.delete(f"/api/v1/views/{private['id']}", headers=partner_a.admin.headers)

    is_problem(response, 404, "not_found")


def test_bad_input_is_a_422_naming_the_field(client, partner_a: Partner):
    cases = [
        ({"name": "", "query": {}}, "name"),
        ({"name": "x" * 101, "query": {}}, "name"),
        ({"name": "Typo", "query": {"outcme": ["won"]}}, "query.outcme"),
        ({"name": "Bad status", "query": {"status": ["lost"]}}, "query.status"),
        ({"name": "Bad sort", "query": {"sort": "price"}}, "query.sort"),
        ({"name": "Bad country", "query": {"country": ["Italy"]}}, "query.country"),
        ({"name": "No query"}, "query"),
        ({"name": "Extra", "query": {}, "colour": "red"}, "colour"),
        ({"name": "Shared?", "query": {}, "shared": "perhaps"}, "shared"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/views", headers=partner_a.admin.headers, json=body)
        problem = is_problem(response, 422, "validation_error")
        assert any(name.startswith(field) for name in problem["fields"]), (body, problem["fields"])
    assert client.get("/api/v1/views", headers=partner_a.admin.headers).json() == {"items": []}


def test_a_view_needs_a_partner_reader(client, seller):
    response = client.post("/api/v1/views", headers=seller.headers, json={"name": "Mine", "query": {}})

    is_problem(response, 403, "forbidden")
