"""The first run, as a new user meets it: the demo's people read the pages in their browser's language, the program
admin lands on leads the program sent with their outcomes, expired leads are stamped at their deadline, each demo
message is in one language, the API walk-through of docs/api.md works for every demo partner again and again, and
the site has an icon."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from referrals import demo
from referrals.services.directory_admin import create_token
from referrals.store.tables import leads, outbox, users
from referrals.synthetic import FILLER, FILLER_IT, NEEDS, NEEDS_IT, STUDENT, STUDENT_IT
from tests import factories
from tests.e2e.pages_support import Browser, Clock, pages_app

NOW = factories.NOW


@pytest.fixture(scope="module")
def demo_world(module_engine):
    program = demo.seed(module_engine, now=NOW, leads_count=160)
    return module_engine, program


def test_the_demo_stores_no_language_so_the_browser_decides(demo_world):
    engine, _ = demo_world
    with engine.connect() as conn:
        assert set(conn.execute(select(users.c.language)).scalars()) == {None}
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, "admin@contoso.example")
    assert '<html lang="en">' in browser.get("/leads", headers={"accept-language": "en-US,en;q=0.9"}).text
    assert '<html lang="it">' in browser.get("/leads", headers={"accept-language": "it-IT,it;q=0.9"}).text


def test_the_program_admin_lands_on_leads_the_program_sent_with_their_outcomes(demo_world):
    engine, _ = demo_world
    for email in ("admin@program.example", "seller@program.example"):
        browser = Browser(pages_app(engine, Clock()))
        browser.enter_as(engine, email)
        page = browser.get("/program/sent", headers={"accept-language": "en"}).text
        rows = re.findall(r'<tr data-lead-id="[^"]+">(.*?)</tr>', page, re.S)
        assert len(rows) >= 5, email
        shown = " ".join(rows)
        assert "Archived · Won" in shown or "Archived · Lost" in shown
        assert "Accepted" in shown or "Received" in shown


def test_expired_demo_leads_are_stamped_at_their_deadline(demo_world):
    engine, _ = demo_world
    with engine.connect() as conn:
        rows = conn.execute(select(leads.c.archived_at, leads.c.response_due_at, leads.c.archive_due_at)
                            .where(leads.c.outcome == "expired")).all()
    assert rows
    for archived_at, response_due, archive_due in rows:
        assert archived_at == (response_due or archive_due)
        assert NOW - archived_at > timedelta(0)


def test_replaying_the_demos_past_reminds_nobody_of_leads_long_gone(demo_world):
    engine, _ = demo_world
    with engine.connect() as conn:
        reminders = conn.execute(select(outbox.c.idempotency_key).where(outbox.c.template == "lead_expiring")
                                 ).scalars().all()
        lead_ids = {key.split(":")[1] for key in reminders}
        due = dict(conn.execute(select(leads.c.id, leads.c.response_due_at).where(leads.c.id.in_(lead_ids))).all())
    # only leads still waiting at the demo's moment, within two days of their deadline, are recalled
    assert all(NOW < due[lead_id] <= NOW + timedelta(hours=48) for lead_id in lead_ids)


def test_each_demo_message_is_in_one_language(demo_world):
    engine, _ = demo_world
    english = [*NEEDS, *FILLER, *STUDENT]
    italian = [*NEEDS_IT, *FILLER_IT, *STUDENT_IT]

    def pattern(parts):
        return re.compile("|".join(re.escape(p).replace(r"\{n\}", r"\d+") for p in parts if p))

    in_english, in_italian = pattern(english), pattern(italian)
    with engine.connect() as conn:
        messages = conn.execute(select(leads.c.message, leads.c.customer_country)).all()
    mixed = [m for m, _ in messages if in_english.search(m) and in_italian.search(m)]
    assert not mixed
    assert any(in_italian.search(m) for m, country in messages if country == "IT")
    assert not any(in_italian.search(m) for m, country in messages if country != "IT")


def walk_through(client: TestClient, admin_token: str, seller_token: str, run: int) -> None:
    """The steps of docs/api.md's walk-through, as curl takes them."""
    admin, seller = {"Authorization": f"Bearer {admin_token}"}, {"Authorization": f"Bearer {seller_token}"}
    me = client.get("/api/v1/me", headers=admin).json()
    assert client.get("/api/v1/leads?tab=marketplace&status=received&call_to_action=contact_me&limit=5",
                      headers=admin).status_code == 200
    for n in (1, 2):
        sent = client.post("/api/v1/leads", headers=seller, json={
            "partner_id": me["partner_id"], "qualification": "sales", "source": "azure_portal",
            "customer": {"company": f"Fabrikam {n}", "last_name": "Rossi", "email": "g.rossi@fabrikam.example",
                         "country": "IT"},
            "message": "40 seats by June.", "external_id": f"walk-{run}-{n}"})
        assert sent.status_code == 201, sent.text
    items = client.get("/api/v1/leads?tab=qualified&status=received&limit=2", headers=admin).json()["items"]
    lead, other = items[1], items[0]
    by = (NOW + timedelta(days=90)).date().isoformat()
    accepted = client.post(f"/api/v1/leads/{lead['id']}/accept", headers={**admin, "If-Match": lead["etag"]}, json={
        "deal_name": "CRM rollout", "estimated_value": {"amount": "25000.00", "currency": "EUR"},
        "team_member_ids": [me["id"]], "estimated_purchase_date": by, "notes": "Pilot first."})
    assert accepted.status_code == 200, accepted.text
    declined = client.post(f"/api/v1/leads/{other['id']}/decline", headers=admin,
                           json={"reason": "requirement_not_met", "notes": "We do not cover SAP."})
    assert declined.status_code == 200, declined.text
    won = client.post(f"/api/v1/leads/{lead['id']}/close", headers=admin, json={"outcome": "won", "notes": "Signed."})
    assert won.status_code == 200 and won.json()["outcome"] == "won"


def test_the_api_walk_through_works_for_every_demo_partner_and_again(engine):
    demo.seed(engine, now=NOW, leads_count=40)
    app = pages_app(engine, Clock())
    seller = create_token(engine, "seller@program.example", now=NOW)
    with TestClient(app) as client:
        for slug in ("contoso", "fabrikam", "northwind", "adatum"):
            admin = create_token(engine, f"admin@{slug}.example", now=NOW)
            walk_through(client, admin, seller, run=1)
            walk_through(client, admin, seller, run=2)


def test_the_site_has_an_icon(engine):
    client = TestClient(pages_app(engine, Clock()))
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    assert client.get("/static/favicon.svg").status_code == 200
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/signin").text
