"""The Referrals-API-compatible endpoint over real HTTP, on both databases: a client that knows only the vendor's
API pages through `status eq 'New'`, accepts with a JSON Patch and If-Match, is refused a stale eTag, declines,
closes won, never reaches another partner's referral, and sees `updatedDateTime` move with every change."""

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services.sweep import sweep
from tests import factories
from tests.e2e.conftest import Partner, User, partner, user
from tests.e2e.test_api_server import _free_port, _wait_until_up

BASE = "/v1.0/engagements/referrals"


@dataclass(frozen=True)
class World:
    url: str
    a: Partner
    b: Partner
    seller: User
    engine: Engine


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    a, b = partner(engine, "Contoso Consulting"), partner(engine, "Northwind Partners")
    seller = user(engine, None, Role.PROGRAM_SELLER)
    port = _free_port()
    env = {**os.environ, "REFERRALS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "REFERRALS_SECRET_KEY": secrets.token_urlsafe(32)}  # a PostgreSQL server does not make its own
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "referrals.web.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield World(url, a, b, seller, engine)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _now() -> datetime:
    return datetime.now(UTC)  # the server reads the real clock: leads must be answerable today


def _leads(world: World, n: int, partner_id: str, kind: str = factories.CONTACT_ME) -> list[str]:
    return [factories.ingest(world.engine, kind, partner_id, now=_now() - timedelta(minutes=5)).id for _ in range(n)]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _accept_patch() -> list[dict]:
    return [{"op": "replace", "path": "/status", "value": "Active"},
            {"op": "replace", "path": "/substatus", "value": "Accepted"},
            {"op": "replace", "path": "/details/dealValue", "value": 12500.5},
            {"op": "replace", "path": "/details/currency", "value": "EUR"},
            {"op": "replace", "path": "/details/closingDateTime",
             "value": (_now() + timedelta(days=90)).strftime("%Y-%m-%dT00:00:00Z")},
            {"op": "replace", "path": "/details/notes", "value": "Pilot first."}]


def test_a_client_pages_through_new_referrals_with_next_links_to_the_end(world: World):
    mine = set(_leads(world, 5, world.a.id)) | set(_leads(world, 1, world.a.id, factories.GET_IT_NOW))
    _leads(world, 2, world.b.id)
    seen: list[str] = []
    with httpx.Client(headers=world.a.reader.headers, timeout=20) as http:
        answer = http.get(f"{world.url}{BASE}", params={"$filter": "status eq 'New'", "$top": "2", "$count": "true"})
        pages = 0
        while True:
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert len(body["value"]) <= 2 and body["@odata.count"] == 6
            seen.extend(item["id"] for item in body["value"])
            pages += 1
            if "@odata.nextLink" not in body:
                break
            assert body["@odata.nextLink"].startswith(world.url)  # absolute
            answer = http.get(body["@odata.nextLink"])
    assert pages == 3 and len(seen) == len(set(seen)) and set(seen) == mine
    with httpx.Client(headers=world.a.reader.headers, timeout=20) as http:
        pending = http.get(f"{world.url}{BASE}", params={"$filter": "substatus eq 'Pending'",
                                                          "$select": "id,status,substatus"}).json()["value"]
        assert [set(item) for item in pending] == [{"id", "status", "substatus"}]
        refused = http.get(f"{world.url}{BASE}", params={"$filter": "status eq 'New' xor direction eq 'Incoming'"})
        assert refused.status_code == 400 and "'xor'" in refused.json()["error"]["message"]
        assert http.get(f"{world.url}{BASE}", params={"$skip": "2"}).json()["error"]["target"] == "$skip"
    staff = httpx.get(f"{world.url}{BASE}", headers=world.seller.headers)
    assert staff.status_code == 403 and staff.json()["error"]["code"] == "Forbidden"
    nobody = httpx.get(f"{world.url}{BASE}")
    assert nobody.status_code == 401 and nobody.json()["error"]["code"] == "Unauthorized"


def test_a_client_accepts_declines_and_closes_with_json_patches(world: World):
    first, second, third = _leads(world, 3, world.a.id)
    (theirs,) = _leads(world, 1, world.b.id)
    with httpx.Client(base_url=f"{world.url}{BASE}", headers=world.a.admin.headers, timeout=20) as http:
        before = http.get(f"/{first}").json()
        patched = http.patch(f"/{first}", json=_accept_patch(), headers={"If-Match": before["eTag"]})
        assert patched.status_code == 204, patched.text
        after = http.get(f"/{first}").json()
        assert (after["status"], after["substatus"], after["name"]) == ("Active", "Accepted", "Fabrikam Srl")
        assert after["details"]["dealValue"] == 12500.5 and after["team"][0]["email"] == world.a.admin.principal.email
        assert _moment(after["updatedDateTime"]) > _moment(before["updatedDateTime"])
        stale = http.patch(f"/{first}", json=[{"op": "replace", "path": "/details/notes", "value": "x"}],
                           headers={"If-Match": before["eTag"], "Content-Type": "application/json-patch+json"})
        assert stale.status_code == 412 and stale.json()["error"]["code"] == "PreconditionFailed"

        added = http.patch(f"/{first}", json=[{"op": "add", "path": "/team/-", "value": {
            "email": world.a.reader.principal.email, "firstName": "Rita", "lastName": "Reader"}}],
            headers={"Prefer": "return=representation", "If-Match": after["eTag"]})
        assert added.status_code == 200 and len(added.json()["team"]) == 2
        assert _moment(added.json()["updatedDateTime"]) > _moment(after["updatedDateTime"])

        won = http.patch(f"/{first}", json=[{"op": "replace", "path": "/substatus", "value": "Won"}],
                         headers={"Prefer": "return=representation"})
        assert (won.json()["status"], won.json()["substatus"]) == ("Closed", "Won")
        archived = http.patch(f"/{first}", json=[{"op": "replace", "path": "/details/notes", "value": "again"}])
        assert archived.status_code == 409 and "read-only" in archived.json()["error"]["message"]

        missing = http.patch(f"/{second}", json=[{"op": "replace", "path": "/substatus", "value": "Declined"}])
        assert missing.status_code == 422
        assert {d["target"] for d in missing.json()["error"]["details"]} == {"statusReason", "details/notes"}
        declined = http.patch(f"/{second}", headers={"Prefer": "return=representation"}, json=[
            {"op": "replace", "path": "/status", "value": "Closed"},
            {"op": "replace", "path": "/substatus", "value": "Declined"},
            {"op": "replace", "path": "/statusReason", "value": "timeline_too_short"},
            {"op": "replace", "path": "/details/notes", "value": "They need it next week."}]).json()
        assert (declined["substatus"], declined["statusReason"]) == ("Declined", "timeline_too_short")
        assert declined["details"]["notes"] == "They need it next week."

        assert http.get(f"/{theirs}").status_code == 404
        assert http.patch(f"/{theirs}", json=_accept_patch()).status_code == 404
        assert http.patch(f"/{third}", json=[{"op": "remove", "path": "/status"}]).status_code == 400
        assert http.patch(f"/{third}", content="status=Active",
                          headers={"Content-Type": "text/plain"}).status_code == 415
        since = {"$filter": f"updatedDateTime ge {after['updatedDateTime']}", "$orderby": "updatedDateTime desc"}
        changed = http.get(f"{world.url}{BASE}", params=since).json()["value"]
        assert [item["id"] for item in changed] == [second, first]


def test_the_sweeps_expiry_moves_updated_date_time_and_withholds_contacts(world: World):
    (lead_id,) = _leads(world, 1, world.a.id)
    url = f"{world.url}{BASE}/{lead_id}"
    before = httpx.get(url, headers=world.a.reader.headers).json()
    assert before["customerProfile"]["team"][0]["email"]
    moment = _now() + timedelta(days=15)
    assert sweep(world.engine, now=moment, remind=False).expired == 1
    after = httpx.get(url, headers=world.a.reader.headers).json()
    assert (after["status"], after["substatus"]) == ("Closed", "Expired")
    assert _moment(after["updatedDateTime"]) == moment
    assert after["customerProfile"]["team"] == [] and after["eTag"] != before["eTag"]
