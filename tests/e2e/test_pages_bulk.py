"""Bulk actions from the lead list as plain form posts (no script): choose rows or "all matching this view", confirm
a question that names how many leads and what will happen, then read each lead's result; a job's page."""

import re

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services import bulk
from referrals.services.reading import get_lead
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, lead_ids, pages_app

REASON = {"reason": "chose_another_vendor", "notes": "They went local."}


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email="rui@contoso.example")
    for index in range(6):
        factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=factories.NOW - factories.days(index),
                         customer={"company": f"Cliente {index:02d}", "country": "IT" if index % 2 else "DE",
                                   "email": f"c{index}@fabrikam.it"})
    return tenant


@pytest.fixture
def browser(engine: Engine, world) -> Browser:
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, "ada@contoso.example")
    return browser


def _status(engine, world, lead_id):
    return get_lead(engine, world.admin, lead_id).lead.status.value


def test_the_list_has_a_checkbox_per_row_and_the_bar_offers_all_matching(browser: Browser):
    html = browser.get("/leads?country=IT").text
    assert len(re.findall(r'<input type="checkbox" name="id" value="[^"]+" form="bulk"', html)) == 3
    assert "Select all 3 leads matching this view" in html
    assert '<option value="decline">' in html


def test_a_referrals_user_is_offered_only_the_hearts(engine: Engine, world):
    reader = Browser(pages_app(engine, Clock()))
    reader.enter_as(engine, "rui@contoso.example")
    html = reader.get("/leads").text
    assert '<option value="favorite">' in html and '<option value="decline">' not in html
    chosen = lead_ids(html)[:1]
    response = reader.post("/leads/bulk", {"action": "decline", "id": chosen, "view": "tab=marketplace",
                                           "confirmed": "1", **REASON})
    assert response.status_code == 303  # not offered, not done
    assert _status(engine, world, chosen[0]) == "received"


def test_declining_chosen_rows_asks_first_naming_how_many_and_what_happens(browser: Browser, engine: Engine, world):
    chosen = lead_ids(browser.get("/leads").text)[:2]

    question = browser.post("/leads/bulk", {"action": "decline", "id": chosen, "view": "tab=marketplace"})

    assert question.status_code == 200
    assert "Decline 2 leads?" in question.text
    assert "Each customer will be told to choose another partner." in question.text
    assert all(_status(engine, world, lead_id) == "received" for lead_id in chosen)  # nothing yet

    missing = browser.post("/leads/bulk", {"action": "decline", "id": chosen, "view": "tab=marketplace",
                                           "confirmed": "1"})
    assert missing.status_code == 422 and 'aria-invalid="true"' in missing.text
    done = browser.post("/leads/bulk", {"action": "decline", "id": chosen, "view": "tab=marketplace",
                                        "confirmed": "1", **REASON})

    assert done.status_code == 200
    assert "2 leads done" in done.text and "0 leads could not be changed" in done.text
    assert all(_status(engine, world, lead_id) == "archived" for lead_id in chosen)


def test_all_matching_this_view_acts_on_the_views_leads_only(browser: Browser, engine: Engine, world):
    italian = lead_ids(browser.get("/leads?country=IT").text)

    question = browser.post("/leads/bulk", {"action": "favorite", "all": "1", "view": "tab=marketplace&country=IT"})
    assert "Add 3 leads to your favorites?" in question.text
    done = browser.post("/leads/bulk", {"action": "favorite", "all": "1", "view": "tab=marketplace&country=IT",
                                        "confirmed": "1"})

    assert "3 leads done" in done.text
    assert sorted(lead_ids(browser.get("/leads?tab=favorites").text)) == sorted(italian)


def test_a_large_selection_becomes_a_job_with_its_own_page(browser: Browser, engine: Engine, world, monkeypatch):
    monkeypatch.setattr(bulk, "AT_ONCE", 2)

    started = browser.post("/leads/bulk", {"action": "decline", "all": "1", "view": "tab=marketplace",
                                           "confirmed": "1", **REASON})

    assert started.status_code == 303 and started.headers["location"].startswith("/leads/bulk/")
    page = browser.get(started.headers["location"]).text
    assert 'data-testid="bulk-progress"' in page and "0 of 6 leads" in page
    job_id = started.headers["location"].rsplit("/", 1)[1]
    bulk.run_job(engine, world.partner_id, job_id, clock=lambda: factories.NOW)
    finished = browser.get(started.headers["location"]).text
    assert "6 leads done" in finished and finished.count('<tr class="done">') == 6


def test_a_view_past_the_limit_says_so_and_changes_nothing(browser: Browser, engine: Engine, world, monkeypatch):
    monkeypatch.setattr(bulk, "MOST", 3)

    refused = browser.post("/leads/bulk", {"action": "decline", "all": "1", "view": "tab=marketplace",
                                           "confirmed": "1", **REASON})

    assert refused.status_code == 422 and "Too many leads at once" in refused.text
    assert all(_status(engine, world, lead_id) == "received" for lead_id in lead_ids(browser.get("/leads").text))
