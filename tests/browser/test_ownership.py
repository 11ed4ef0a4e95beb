"""Lead owners in Chromium, on a desktop (1400×900) and a phone (390×844): an admin gives a lead to a colleague
from the lead page, the page names the owner and the history says so; the colleague finds it under "My leads".
Nothing breaks the Content Security Policy. Screenshots go to test-artifacts/owner-*.png."""

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.services.directory_admin import add_user
from referrals.store.db import make_engine
from referrals.store.migrate import upgrade
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.browser.test_team import PASSWORD, VIEWPORTS, broken_policy, open_page, sign_in
from tests.browser.test_workspace import chromium_browser, serving, shot
from tests.conftest import chromium_path

pytestmark = pytest.mark.browser

ADMIN = "ada@contoso.example"


@dataclass
class Site:
    url: str
    engine: Engine
    partner_id: str
    leads: dict[str, str]  # viewport -> the lead it assigns


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    chromium_path()
    folder = tempfile.mkdtemp(prefix="referrals-owner-")
    url = f"sqlite:///{folder}/owner.db"
    engine = make_engine(url)
    upgrade(engine)
    partner = factories.add_partner(engine, "Contoso Consulting")
    add_user(engine, ADMIN, partner_id=partner.id, roles=[Role.REFERRALS_ADMIN], password=PASSWORD,
             name="Ada Lovelace", language="en", now=factories.NOW)
    leads = {}
    for size in VIEWPORTS:
        add_user(engine, f"rui-{size}@contoso.example", partner_id=partner.id, roles=[Role.REFERRALS_USER],
                 password=PASSWORD, name=f"Rui Costa ({size})", language="en", now=factories.NOW)
        leads[size] = factories.ingest(engine, factories.CONTACT_ME, partner.id,
                                       customer={"company": f"Fabrikam {size}"}).id
    app = create_app(Settings(database_url=url, secret_key="browser-test-secret-0123456789"), engine=engine)
    app.dependency_overrides[get_now] = lambda: factories.NOW
    with serving(app) as base_url:
        yield Site(base_url, engine, partner.id, leads)
    engine.dispose()


@pytest.fixture(scope="module")
def browser(site: Site):
    with chromium_browser() as chromium:
        yield chromium


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_an_admin_assigns_a_lead_from_its_page_and_the_colleague_finds_it_in_my_leads(browser, site: Site,
                                                                                    size: str):
    messages: list[str] = []
    lead_id, colleague = site.leads[size], f"rui-{size}@contoso.example"
    admin = open_page(browser, site, size, messages)
    sign_in(admin, ADMIN)
    admin.goto(f"/leads/{lead_id}")
    assert admin.get_by_test_id("owner").inner_text() == "Nobody"
    form = admin.get_by_test_id("owner-form")
    form.get_by_label("Who works this lead").select_option(label=f"Rui Costa ({size})")
    shot(admin, f"owner-choose-{size}.png")
    form.get_by_role("button", name="Save the owner").click()
    admin.wait_for_url(f"**/leads/{lead_id}")
    assert admin.get_by_role("status").inner_text() == "Owner saved."
    assert admin.get_by_test_id("owner").inner_text() == f"Rui Costa ({size})"
    assert "Assigned" in admin.locator(".timeline").inner_text()
    shot(admin, f"owner-saved-{size}.png")
    # the colleague's "My leads" holds exactly that lead
    mine = open_page(browser, site, size, messages)
    sign_in(mine, colleague)
    mine.locator('[data-view="mine"]').click()
    mine.wait_for_url("**owner=me**")
    rows = mine.locator("table.leads tbody tr")
    assert rows.count() == 1 and f"Fabrikam {size}" in rows.first.inner_text()
    shot(mine, f"owner-my-leads-{size}.png")
    assert broken_policy(messages) == []
