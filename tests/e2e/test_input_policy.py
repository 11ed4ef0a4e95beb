"""One input policy on both databases (domain/text.py): text refuses lone surrogates, NUL and control characters
(multi-line text keeps tab and line feed, and its CRLF becomes LF); numbers refuse NaN and infinities. Every
interface answers 422 naming the field — the JSON API, the marketplace endpoint, the pages' forms, the CLI —
and SQLite and PostgreSQL answer the same input the same way."""

import json
import os
import subprocess

import pytest
from sqlalchemy import Engine, select

from referrals.domain.enums import Role
from referrals.services.reading import get_lead
from referrals.store.tables import leads
from tests import factories
from tests.e2e.conftest import accept_body, is_problem, lead_count, new_lead_body
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app
from tests.e2e.test_api_marketplace import payload
from tests.e2e.test_cli import REFERRALS, cli

DETAILS = ("FirstName", "LastName", "Email", "Phone", "Country", "Company", "Title")
TOP = ("LeadSource", "ActionCode", "OfferTitle", "Description")


@pytest.fixture
def url(partner_a) -> str:
    return f"/inbound/marketplace/{partner_a.tenant.inbound_key}"


def post_json(client, url: str, text: str, headers: dict | None = None):
    """JSON as a client may really send it: lone surrogates as \\u escapes, NaN and Infinity as bare words."""
    return client.post(url, content=text.encode(), headers={"Content-Type": "application/json", **(headers or {})})


def with_field(name: str, value) -> dict:
    body = payload()
    if name in DETAILS:
        body["UserDetails"][name] = value
    else:
        body[name] = value
    return body


def field_path(name: str) -> str:
    return f"UserDetails.{name}" if name in DETAILS else name


@pytest.mark.parametrize("name", DETAILS + TOP)
def test_a_lone_surrogate_in_any_marketplace_field_is_refused_naming_it(client, engine, url, name):
    response = post_json(client, url, json.dumps(with_field(name, "x\udc80")))  # ensure_ascii: sent as \udc80
    problem = is_problem(response, 422, "validation_error")
    assert "lone surrogate" in problem["fields"][field_path(name)], problem
    assert lead_count(engine) == 0


@pytest.mark.parametrize("where", ["UserDetails.Phone", "Extra", "Extra.Nested[1]"])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinite_numbers_in_a_marketplace_payload_are_refused_on_both_databases(
        client, engine, url, where, number):
    body = payload(Extra={"Nested": [1, 2]})
    body["UserDetails"]["Phone"] = 16175555555
    placeholder, replacement = {"UserDetails.Phone": ("16175555555", number), "Extra": ('{"Nested": [1, 2]}', number),
                                "Extra.Nested[1]": ("[1, 2]", f"[1, {number}]")}[where]
    sent = json.dumps(body).replace(placeholder, replacement)
    problem = is_problem(post_json(client, url, sent), 422, "validation_error")
    assert problem["fields"] == {where: "must be a finite number"}, problem
    assert lead_count(engine) == 0


@pytest.mark.parametrize(("name", "value", "message"), [
    ("Description", "Call me\x00please", "must not contain NUL characters"),
    ("Company", "Contoso\x00", "must not contain NUL characters"),
    ("Description", "Call me\x07", "must not contain control characters (U+0007)"),
    ("LastName", "One\nTwo", "must be a single line"),
])
def test_nul_and_control_characters_in_marketplace_fields_are_refused_on_both_databases(
        client, engine, url, name, value, message):
    problem = is_problem(client.post(url, json=with_field(name, value)), 422, "validation_error")
    assert problem["fields"] == {field_path(name): message}
    assert lead_count(engine) == 0


def test_text_anywhere_in_the_kept_payload_follows_the_policy(client, engine, url):
    body = payload(Extra={"Campaign": "spring\x00", "Tags": ["ok", "x\udc80"], "bad\x00key": 1})
    problem = is_problem(post_json(client, url, json.dumps(body)), 422, "validation_error")
    assert problem["fields"] == {"Extra.Campaign": "must not contain NUL characters",
                                 "Extra.Tags[1]": "is not valid Unicode text (a lone surrogate, U+DC80)",
                                 "Extra.bad\\x00key": "its name must not contain NUL characters"}
    assert lead_count(engine) == 0


def test_crlf_in_the_marketplace_description_is_stored_as_lf(client, engine, url, partner_a):
    receipt = client.post(url, json=payload(Description="Please call me.\r\nAbout 40 seats.\r\n\tThanks"))
    assert receipt.status_code == 201, receipt.text
    lead = client.get(f"/api/v1/leads/{receipt.json()['lead_id']}", headers=partner_a.reader.headers).json()
    assert lead["message"] == "Please call me.\nAbout 40 seats.\n\tThanks"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("message", "Needs 40 seats\x00", "must not contain NUL characters"),
    ("message", "Needs 40 seats\x1b[31m", "must not contain control characters (U+001B)"),
    ("external_id", "crm-1\n", "must be a single line"),
])
def test_the_lead_api_refuses_nul_and_control_characters_naming_the_field(
        client, engine, partner_a, seller, field, value, message):
    response = client.post("/api/v1/leads", json=new_lead_body(partner_a.id, **{field: value}), headers=seller.headers)
    assert is_problem(response, 422, "validation_error")["fields"] == {field: message}
    assert lead_count(engine) == 0


def test_the_lead_api_refuses_a_control_character_in_a_customer_name(client, engine, partner_a, seller):
    body = new_lead_body(partner_a.id)
    body["customer"]["last_name"] = "Rossi\tBianchi"
    problem = is_problem(client.post("/api/v1/leads", json=body, headers=seller.headers), 422, "validation_error")
    assert problem["fields"] == {"customer.last_name": "must not contain control characters (U+0009)"}


def test_crlf_in_the_lead_message_is_stored_as_lf(client, engine, partner_a, seller):
    body = new_lead_body(partner_a.id, message="Needs 40 seats.\r\nBy June.")
    created = client.post("/api/v1/leads", json=body, headers=seller.headers)
    assert created.status_code == 201, created.text
    assert created.json()["message"] == "Needs 40 seats.\nBy June."
    with engine.connect() as conn:
        assert conn.execute(select(leads.c.message)).scalar_one() == "Needs 40 seats.\nBy June."


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e400", '"NaN"', '"Infinity"'])
def test_a_money_amount_that_is_not_finite_is_refused_naming_it_on_both_databases(
        client, partner_a, contact_me, amount):
    text = json.dumps(accept_body(partner_a.admin.id)).replace('"25000.00"', amount)
    response = post_json(client, f"/api/v1/leads/{contact_me.id}/accept", text, partner_a.admin.headers)
    problem = is_problem(response, 422, "validation_error")
    assert list(problem["fields"]) == ["estimated_value.amount"], problem


def test_deal_notes_keep_their_lines_and_refuse_nul(client, partner_a, contact_me):
    url = f"/api/v1/leads/{contact_me.id}/accept"
    refused = client.post(url, json=accept_body(partner_a.admin.id, notes="Pilot\x00"), headers=partner_a.admin.headers)
    assert is_problem(refused, 422, "validation_error")["fields"] == {"notes": "must not contain NUL characters"}
    body = accept_body(partner_a.admin.id, notes="Pilot first.\r\nThen 40 seats.")
    accepted = client.post(url, json=body, headers=partner_a.admin.headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["deal"]["notes"] == "Pilot first.\nThen 40 seats."


# -- the pages' forms ------------------------------------------------------------------------------------------


@pytest.fixture
def page_world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=factories.NOW - factories.days(1))
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, "ada@contoso.example")
    return tenant, lead, browser


@pytest.mark.parametrize("notes", ["Too small\x00", "Too small\x1b", "Too\x85small"])
def test_a_form_post_with_a_nul_or_control_character_answers_with_the_field_error(engine, page_world, notes):
    tenant, lead, browser = page_world
    refused = browser.post(f"/leads/{lead.id}/decline", {"reason": "budget_not_adequate", "notes": notes})
    assert refused.status_code == 422, refused.text
    assert 'id="err-notes"' in refused.text
    assert get_lead(engine, tenant.admin, lead.id).lead.status == "received"


def test_crlf_from_a_textarea_is_stored_as_lf(engine, page_world):
    tenant, lead, browser = page_world
    done = browser.post(f"/leads/{lead.id}/decline", {"reason": "budget_not_adequate", "notes": "Too small.\r\nSorry."})
    assert done.status_code == 303, done.text
    assert get_lead(engine, tenant.admin, lead.id).lead.closing.notes == "Too small.\nSorry."


# -- the CLI -------------------------------------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert cli("migrate", db=url).returncode == 0
    return url


@pytest.mark.parametrize(("args", "option"), [
    (["partners", "add", "Acme\x01Partners"], "'name'"),
    (["partners", "add", "Acme", "--city", "Ro\nma"], "--city"),
    (["blocklist", "add", "spam.example", "--reason", "bad\x1b"], "--reason"),
])
def test_the_cli_refuses_control_characters_in_text_options_naming_them(cli_db, args, option):
    result = cli(*args, db=cli_db)
    assert result.returncode == 2, result.stderr
    assert option in result.stderr
    assert "control characters" in result.stderr or "single line" in result.stderr


def test_the_cli_refuses_an_argument_that_is_not_utf8(cli_db):
    # Bytes that are not UTF-8 reach Python as lone surrogates.
    env = {**os.environ, "REFERRALS_DATABASE_URL": cli_db, "COLUMNS": "200"}
    result = subprocess.run([REFERRALS, "partners", "add", b"Acme \xff"], capture_output=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert b"lone surrogate" in result.stderr
