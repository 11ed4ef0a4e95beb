"""Quality that reads right: the probability beside the label, a neutral look near the threshold, and factors that
say whether they raise or lower the chance, in the list, on the lead page and in the API, in English and Italian."""

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.domain.quality import PRIOR
from referrals.domain.quality_line import Line
from referrals.services.screening import invalidate
from referrals.store.db import writing
from referrals.store.quality import save_model
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app

BORDERLINE_FACTORS = [{"feature": "channel=offer_contact_me", "effect": "raises"},
                      {"feature": "industry=manufacturing", "effect": "raises"},
                      {"feature": "msg=empty", "effect": "lowers"}]


def use_line(engine: Engine, threshold: float) -> None:
    """A model in use whose High/Low line is `threshold` (the pages' neutral look is measured from the line)."""
    model = replace(PRIOR, line=Line(threshold, "relative", threshold / 1.5))
    with writing(engine) as conn:
        save_model(conn, trained_at=datetime(2026, 1, 1, tzinfo=UTC), examples=0, params=model.to_params(), keep=5)
    invalidate()


@pytest.fixture
def world(engine: Engine):
    use_line(engine, 0.5)
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ugo@contoso.example", language="it")
    made = {}
    for name, label, probability in (("borderline", "low", 0.48), ("poor", "low", 0.12), ("good", "high", 0.75)):
        lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id,
                                customer={"company": f"{name.title()} Srl"})
        factories.restamp(engine, tenant.partner_id, lead.id, quality_label=label, quality_probability=probability,
                          quality_factors=BORDERLINE_FACTORS)
        made[name] = lead
    return tenant, made


def browser_for(engine: Engine, email: str) -> Browser:
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, email)
    return browser


def badge_of(html: str, company: str) -> tuple[str, str, str]:
    row = re.search(rf'<tr data-lead-id="[^"]+">(?:(?!</tr>).)*{company}(?:(?!</tr>).)*</tr>', html, re.S)
    assert row, company
    badge = r'<span class="badge quality ([^"]+)"[^>]*title="([^"]*)"[^>]*>(.*?)</span>\s*<span class="badge v-'
    found = re.search(badge, row.group(), re.S)
    assert found, row.group()
    return found.group(1), found.group(2), re.sub(r"<[^>]+>", "", found.group(3)).strip()


def test_each_list_row_shows_the_chance_beside_the_label_and_a_neutral_look_near_the_threshold(engine, world):
    page = browser_for(engine, "ada@contoso.example").get("/leads").text
    look, title, words = badge_of(page, "Borderline Srl")
    assert look == "q-neutral" and words == "Quality: Low · 48%"
    assert "raises the chance: customer asked to be contacted" in title
    assert "raises the chance: industry: Manufacturing" in title and "lowers the chance: no message" in title
    assert badge_of(page, "Poor Srl")[0] == "q-low" and badge_of(page, "Poor Srl")[2] == "Quality: Low · 12%"
    assert badge_of(page, "Good Srl")[0] == "q-high" and badge_of(page, "Good Srl")[2] == "Quality: High · 75%"


def test_the_lead_page_marks_each_factor_by_the_way_it_moves_the_chance(engine, world):
    _, made = world
    page = browser_for(engine, "ada@contoso.example").get(f"/leads/{made['borderline'].id}").text
    assert re.search(r'class="factor raises">.*?Raises the chance:</span> customer asked to be contacted', page, re.S)
    assert re.search(r'class="factor lowers">.*?Lowers the chance:</span> no message', page, re.S)
    assert "Close to the line between high and low" in page
    assert "Close to the line" not in browser_for(engine, "ada@contoso.example").get(
        f"/leads/{made['good'].id}").text


def test_in_italian_the_factors_the_industry_and_the_label_are_italian(engine, world):
    _, made = world
    browser = browser_for(engine, "ugo@contoso.example")
    listed = browser.get("/leads").text
    assert badge_of(listed, "Borderline Srl")[2] == "Qualità: Bassa · 48%"
    assert "alza la probabilità: settore: Manifatturiero" in badge_of(listed, "Borderline Srl")[1]
    page = browser.get(f"/leads/{made['borderline'].id}").text
    assert "il cliente ha chiesto di essere contattato" in page and "nessun messaggio" in page
    assert "<dd>Manifatturiero</dd>" in page and "<dd>10-49 dipendenti</dd>" in page
    for english in ("manufacturing", "customer asked to be contacted", "no message", "10-49 employees"):
        assert english not in page


def test_the_api_keeps_the_label_and_adds_the_signed_factors(client, engine, partner_a):
    lead = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    body = client.get(f"/api/v1/leads/{lead.id}", headers=partner_a.admin.headers).json()["quality"]
    assert body["label"] in ("high", "low") and 0 < body["probability"] < 1
    assert body["factors"] == [f["text"] for f in body["signed_factors"]] and body["factors"]
    assert {f["effect"] for f in body["signed_factors"]} <= {"raises", "lowers"}
    listed = client.get("/api/v1/leads", headers=partner_a.admin.headers).json()["items"][0]["quality"]
    assert listed == body


def test_a_lead_scored_before_factors_were_signed_still_reads(client, engine, partner_a):
    lead = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    factories.restamp(engine, partner_a.id, lead.id, quality_factors=["student or intern", "an old phrase"])
    body = client.get(f"/api/v1/leads/{lead.id}", headers=partner_a.admin.headers).json()["quality"]
    assert body["factors"] == ["student or intern", "an old phrase"]
    assert [f["effect"] for f in body["signed_factors"]] == [None, None]
