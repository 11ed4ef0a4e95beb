"""Erasure over real HTTP and the real command, on both databases: after `referrals privacy erase --email X --yes`
no API answer a partner can get — the lead, the list searched by the address, name or phone, the CSV export, the
Referrals-compatible endpoint — holds X, the name or the phone; the program admins' API erases and previews, and
everyone else is refused; `referrals privacy export` writes the person's leads across partners."""

import json
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import Engine, select

from referrals.domain.enums import Role
from referrals.services.directory_admin import create_token
from referrals.store.db import reading
from referrals.store.tables import leads
from tests import factories, privacy_world
from tests.e2e.pages_support import PASSWORD, add_person
from tests.e2e.served import environment, referrals
from tests.e2e.test_api_server import _free_port, _wait_until_up

PERSON_TERMS = (privacy_world.EMAIL, privacy_world.FIRST, privacy_world.LAST, privacy_world.PHONE)


@dataclass
class Served:
    url: str
    world: privacy_world.PersonWorld
    engine: Engine
    env: dict[str, str]
    before: dict[str, str] = field(default_factory=dict)  # answers read before the erasure, by place

    def token(self, principal) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_token(self.engine, principal.email, now=factories.NOW)}"}


@contextmanager
def serving(engine: Engine) -> Iterator[Served]:
    world = privacy_world.build(engine)
    env = environment(engine.url.render_as_string(hide_password=False), REFERRALS_SECRET_KEY=secrets.token_urlsafe(32))
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "referrals.web.app:create_app", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield Served(url, world, engine, env)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def erased(module_engine: Engine, tmp_path_factory) -> Iterator[Served]:
    """One world per database, read through every place before and after `referrals privacy erase --yes`; the
    tests below only read (the command's dry run and the export run first, on the world as built)."""
    with serving(module_engine) as served:
        a, b = served.token(served.world.a.admin), served.token(served.world.b.admin)
        for place, path, headers, params in _places(served, a, b):
            served.before[place] = httpx.get(f"{served.url}{path}", headers=headers, params=params).text
        add_person(module_engine, served.world.a.partner_id, Role.REFERRALS_ADMIN, email=PAGES_USER)
        with signed_in(served) as web:
            served.before["page"] = web.get(f"/leads/{served.world.accepted_id}").text
            served.before["page_search"] = web.get("/leads", params={"q": privacy_world.LAST}).text
        served.before["dry_run"] = referrals("privacy", "erase", "--email", privacy_world.EMAIL, "--json",
                                             env=served.env).stdout
        served.before["dry_run_leads"] = _stored_email(served)
        out = tmp_path_factory.mktemp("export") / "ottavia.json"
        referrals("privacy", "export", "--email", privacy_world.EMAIL.lower(), "--output", str(out), env=served.env)
        served.before["export"] = out.read_text()
        referrals("privacy", "erase", "--email", privacy_world.EMAIL.upper(), "--yes", env=served.env)
        yield served


PAGES_USER = "pages@contoso.example"


@contextmanager
def signed_in(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=30) as web:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/signin").text).group(1)
        answer = web.post("/signin", data={"email": PAGES_USER, "password": PASSWORD, "csrf_token": csrf})
        assert answer.status_code in (200, 303), answer.text
        yield web


def _places(served: Served, a: dict, b: dict) -> list[tuple]:
    return [("detail", f"/api/v1/leads/{served.world.accepted_id}", a, None),
            ("list", "/api/v1/leads", a, {"q": privacy_world.LAST}),
            ("export", "/api/v1/leads/export.csv", a, None),
            ("compat", "/v1.0/engagements/referrals", b, None)]


def _stored_email(served: Served) -> str:
    with reading(served.engine) as conn:
        return conn.execute(select(leads.c.customer_email).where(leads.c.id == served.world.accepted_id)).scalar_one()


def assert_no_traces(text: str) -> None:
    assert privacy_world.traces_in(text) == [], text[:2000]


def get(served: Served, path: str, principal, **params) -> httpx.Response:
    answer = httpx.get(f"{served.url}{path}", headers=served.token(principal), params=params or None)
    assert answer.status_code == 200, answer.text
    return answer


def test_the_lead_detail_holds_nothing_of_the_person_after_the_command(erased: Served):
    assert privacy_world.traces_in(erased.before["detail"])  # before: she is there

    assert_no_traces(get(erased, f"/api/v1/leads/{erased.world.accepted_id}", erased.world.a.admin).text)
    assert_no_traces(get(erased, f"/api/v1/leads/{erased.world.marketplace_id}", erased.world.b.admin).text)


def test_the_list_searched_by_address_name_or_phone_finds_nothing_after_the_command(erased: Served):
    assert json.loads(erased.before["list"])["items"]  # before: her name found her leads

    for term in PERSON_TERMS:
        assert get(erased, "/api/v1/leads", erased.world.a.admin, q=term).json()["items"] == [], term
    listed = get(erased, "/api/v1/leads", erased.world.a.admin)
    assert len(listed.json()["items"]) == 3
    assert_no_traces(listed.text)


def test_the_csv_export_holds_nothing_of_the_person_after_the_command(erased: Served):
    assert privacy_world.traces_in(erased.before["export"])

    answer = get(erased, "/api/v1/leads/export.csv", erased.world.a.admin)
    assert answer.text.count("\n") == 4  # the header and partner A's three leads
    assert_no_traces(answer.text)


def test_the_compatible_endpoint_holds_nothing_of_the_person_after_the_command(erased: Served):
    assert privacy_world.traces_in(erased.before["compat"])

    listed = get(erased, "/v1.0/engagements/referrals", erased.world.b.admin)
    assert listed.json()["value"]
    assert_no_traces(listed.text)
    assert_no_traces(get(erased, f"/v1.0/engagements/referrals/{erased.world.marketplace_id}",
                         erased.world.b.admin).text)


def test_the_lead_page_holds_nothing_of_the_person_after_the_command(erased: Served):
    assert privacy_world.traces_in(erased.before["page"])
    assert erased.world.accepted_id in erased.before["page_search"]  # before: her name found her lead

    with signed_in(erased) as web:
        page = web.get(f"/leads/{erased.world.accepted_id}")
        assert page.status_code == 200
        assert_no_traces(page.text)
        assert_no_traces(web.get("/leads").text)
        searched = web.get("/leads", params={"q": privacy_world.LAST}).text  # echoes the term, finds no lead
        assert erased.world.accepted_id not in searched and erased.world.declined_id not in searched


def test_no_table_holds_the_person_after_the_command(erased: Served):
    assert privacy_world.places_holding_traces(erased.engine) == {}


def test_the_command_without_yes_changed_nothing_and_said_what_would_go(erased: Served):
    shown = json.loads(erased.before["dry_run"])
    assert shown["dry_run"] is True and shown["counts"]["leads"] == 4 and shown["counts"]["emails_withdrawn"] == 1
    assert erased.before["dry_run_leads"] == privacy_world.EMAIL  # still there after the dry run
    refused = referrals("privacy", "erase", "--email", "not-an-address", "--yes", env=erased.env, check=False)
    assert refused.returncode == 2 and "not an email address" in refused.stderr


def test_the_export_command_wrote_the_persons_leads_across_two_partners(erased: Served):
    document = json.loads(erased.before["export"])

    assert {lead["partner_id"] for lead in document["leads"]} == {erased.world.a.partner_id,
                                                                    erased.world.b.partner_id}
    assert {erased.world.accepted_id, erased.world.marketplace_id} <= {lead["id"] for lead in document["leads"]}


@pytest.fixture
def served(engine: Engine) -> Iterator[Served]:
    with serving(engine) as running:
        yield running


def test_program_admins_erase_over_the_api_and_everyone_else_is_refused(served: Served):
    body = {"email": privacy_world.EMAIL}
    seller = factories.add_principal(served.engine, None, Role.PROGRAM_SELLER)
    for principal in (served.world.a.admin, served.world.a.reader, seller):
        refused = httpx.post(f"{served.url}/api/v1/privacy/erasures", json=body, headers=served.token(principal))
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert httpx.post(f"{served.url}/api/v1/privacy/erasures", json=body).status_code == 401
    admin = served.token(served.world.program_admin)
    preview = httpx.post(f"{served.url}/api/v1/privacy/erasures", json={**body, "dry_run": True}, headers=admin)
    assert preview.status_code == 200 and preview.json()["counts"]["leads"] == 4 and preview.json()["id"] is None
    bad = httpx.post(f"{served.url}/api/v1/privacy/erasures", json={"email": "nobody"}, headers=admin)
    assert bad.status_code == 422 and "email" in bad.json()["fields"]

    done = httpx.post(f"{served.url}/api/v1/privacy/erasures", json=body, headers=admin)

    assert done.status_code == 201 and done.json()["counts"]["leads"] == 4
    record = httpx.get(f"{served.url}/api/v1/privacy/erasures", headers=admin).json()
    assert [r["id"] for r in record] == [done.json()["id"]] and record[0]["by"] == served.world.program_admin.email
    assert_no_traces(json.dumps(record))
    assert privacy_world.places_holding_traces(served.engine) == {}
    exported = httpx.post(f"{served.url}/api/v1/privacy/exports", json=body, headers=admin)
    assert exported.status_code == 200 and exported.json()["leads"] == []
    refused = httpx.post(f"{served.url}/api/v1/privacy/exports", json=body, headers=served.token(served.world.a.admin))
    assert refused.status_code == 403
