"""The program's quality page and the API show the High/Low line in use; the page shows the last evaluation on the
newest closed leads and retrains on demand (program admins only); the pages' neutral look follows the line."""

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.quality_eval import _store_history, generate
from referrals.services.screening import invalidate
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app
from tests.e2e.test_pages_quality import BORDERLINE_FACTORS, badge_of, use_line

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def people(engine: Engine):
    invalidate()
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, None, Role.PROGRAM_ADMIN, email="pam@program.example")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    yield tenant
    invalidate()


def browser_for(engine: Engine, email: str) -> Browser:
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, email)
    return browser


def test_the_quality_page_shows_the_line_and_retrains_on_demand_showing_the_evaluation(engine, people):
    _store_history(engine, generate(random.Random(29), leads=600, partners=3, now=NOW), NOW)
    pam = browser_for(engine, "pam@program.example")
    before = pam.get("/program/quality")
    assert before.status_code == 200 and 'href="/program/quality"' in before.text
    assert 'data-threshold="0.375"' in before.text and "No model trained yet" in before.text
    assert "No evaluation yet" in before.text

    assert pam.post("/program/quality/retrain", {}).status_code == 303
    page = pam.get("/program/quality").text

    assert "Retrained: the result is below." in page
    assert "Trained " in page and "on 600 closed leads" in page
    assert "1.5 times the program's conversion rate; observed: " in page
    assert "tested on the newest 120" in page and "The new model did at least as well: it is in use." in page
    assert "High converts at least 1.5 times as often as Low." in page
    api = pam.get("/api/v1/quality").json()
    assert api["examples"] == 600 and api["line"]["kind"] in ("relative", "clamped")
    assert f'data-threshold="{api["line"]["threshold"]}"' in page
    assert api["last_evaluation"]["test"] == 120 and not api["last_evaluation"]["kept_previous"]


def test_partners_see_the_line_but_not_the_evaluation_nor_the_page(engine, people):
    use_line(engine, 0.42)
    ada = browser_for(engine, "ada@contoso.example")
    assert ada.get("/program/quality").status_code == 403
    ada.get("/leads")
    assert ada.post("/program/quality/retrain", {}).status_code == 403
    api = ada.get("/api/v1/quality").json()
    assert api["line"] == {"threshold": 0.42, "kind": "relative", "base_rate": pytest.approx(0.28)}
    assert api["last_evaluation"] is None


def test_the_neutral_look_is_measured_from_the_line_stored_with_the_model(engine, people):
    lead = factories.ingest(engine, factories.CONTACT_ME, people.partner_id, customer={"company": "Near Srl"})
    factories.restamp(engine, people.partner_id, lead.id, quality_label="high", quality_probability=0.33,
                      quality_factors=BORDERLINE_FACTORS)
    use_line(engine, 0.3)
    assert badge_of(browser_for(engine, "ada@contoso.example").get("/leads").text, "Near Srl")[0] == "q-neutral"
    use_line(engine, 0.2)
    assert badge_of(browser_for(engine, "ada@contoso.example").get("/leads").text, "Near Srl")[0] == "q-high"
