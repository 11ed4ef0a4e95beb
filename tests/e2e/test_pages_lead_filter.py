"""The lead list page's filter form comes from the one filter declaration: it has a control for every declared
filter, reads the same parameters as the API (`spam=true|false`, `q`), and a view's URL reads back unchanged."""

import re

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.domain.listing import FILTERS
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, lead_ids, pages_app


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    return tenant


@pytest.fixture
def browser(engine: Engine, world) -> Browser:
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, "ada@contoso.example")
    return browser


def test_the_filter_form_has_a_control_for_every_declared_filter(browser: Browser):
    page = browser.get("/leads")
    form = page.text.split('class="filters"', 1)[1].split("</form>", 1)[0]
    controls = set(re.findall(r'name="([a-z_]+)"', form))
    assert {f.name for f in FILTERS} <= controls


def test_the_spam_and_search_filters_work_on_the_page_as_in_the_api(browser: Browser, engine: Engine, world):
    flagged = factories.ingest(engine, factories.SALES, world.partner_id, customer={"company": "Spamco"})
    clean = factories.ingest(engine, factories.SALES, world.partner_id, customer={"company": "Fabrikam"},
                             external_id="crm-77")
    factories.restamp(engine, world.partner_id, flagged.id, spam=True, spam_reasons=["disposable domain"])
    factories.restamp(engine, world.partner_id, clean.id, spam=False, spam_reasons=[])
    assert lead_ids(browser.get("/leads?tab=qualified&spam=true").text) == [flagged.id]
    assert lead_ids(browser.get("/leads?tab=qualified&spam=false").text) == [clean.id]
    assert lead_ids(browser.get("/leads?tab=qualified&q=crm-77").text) == [clean.id]
    # a view's links carry the filters as the API spells them
    assert "spam=true" in browser.get("/leads?tab=qualified&spam=true").text
