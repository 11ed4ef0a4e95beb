"""The directory in a real browser: a customer finds a partner, opens its profile and asks to be contacted;
the partner's Referrals admin then finds the new lead, flame and all. Screenshots go to test-artifacts/."""

import re
import tempfile
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from referrals import demo
from referrals.config import Settings
from referrals.store.db import make_engine, writing
from referrals.store.migrate import upgrade
from referrals.store.tables import leads, users
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.browser.test_workspace import Server, chromium_browser, serving, shot, signed_in
from tests.conftest import chromium_path

pytestmark = pytest.mark.browser

ADMIN = "admin@contoso.example"  # Contoso's Referrals admin (and Business profile admin)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """Demo data (four partners whose profiles demo.seed publishes with save_profile) behind uvicorn."""
    chromium_path()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='referrals-directory-')}/demo.db"
    engine = make_engine(url)
    upgrade(engine)
    program = demo.seed(engine, now=factories.NOW, leads_count=20)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.email == ADMIN).values(language="en"))
    app = create_app(Settings(database_url=url, secret_key="browser-test-secret-0123456789"), engine=engine)
    app.dependency_overrides[get_now] = lambda: factories.NOW
    with serving(app) as url:
        yield Server(url, engine, program, [])
    engine.dispose()


@pytest.fixture(scope="module")
def browser(server: Server):
    with chromium_browser() as chromium:
        yield chromium


def test_a_customer_asks_a_partner_found_in_the_directory_and_the_partner_sees_a_hot_lead(browser, server: Server):
    customer = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, locale="en-US")
    page = customer.new_page()
    page.goto("/directory")
    page.get_by_label("What do you need?").fill("fatturazione elettronica")
    page.get_by_label("Country/region").select_option("IT")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=fatturazione**")
    results = page.get_by_test_id("results").locator("li")
    assert results.count() == 1 and "Milano, Italy" in results.first.inner_text()
    shot(page, "directory-search.png")

    page.get_by_role("link", name="Contoso Consulting").click()
    page.wait_for_url(re.compile(r".*/directory/\w+\?location=\w+.*"))
    shown_location = re.search(r"location=(\w+)", page.url).group(1)
    assert page.get_by_role("heading", name="Contoso Consulting").is_visible()
    assert "leads@contoso.example" not in page.content()  # the alert contact stays private
    form = page.get_by_test_id("contact-form")
    form.get_by_role("textbox", name="Company", exact=True).fill("Tailspin Toys")
    form.get_by_label("First name").fill("Giulia")
    form.get_by_label("Last name").fill("Rossi")
    form.get_by_label("Email").fill("giulia@tailspin.example")
    form.get_by_label("What do you need?").fill("E-invoicing for 40 people, soon.")
    form.get_by_role("button", name="Send my request").click()
    assert page.locator("#err-consent").inner_text() == "Tick the box so the partner may contact you."
    form = page.get_by_test_id("contact-form")
    assert form.get_by_role("textbox", name="Company", exact=True).input_value() == "Tailspin Toys"  # kept
    consent = form.get_by_label("I agree that Contoso Consulting may contact me about this request.")
    assert consent.evaluate("el => el === document.activeElement")  # focus on the first error
    page.keyboard.press("Space")  # keyboard only
    shot(page, "directory-profile.png")
    form.get_by_role("button", name="Send my request").click()

    page.wait_for_url("**/sent")
    receipt = page.get_by_test_id("receipt").inner_text()
    assert re.fullmatch(r"R-[0-9A-F]{12}", receipt)
    assert page.get_by_text("Partners have 14 days to answer").is_visible()
    shot(page, "directory-receipt.png")
    customer.close()

    with server.engine.connect() as conn:
        lead_id, location_id = conn.execute(select(leads.c.id, leads.c.location_id).where(
            leads.c.external_id == f"directory:{receipt}")).one()
    assert location_id == shown_location
    partner = signed_in(browser, server, ADMIN)
    try:
        row = partner.locator(f'tr[data-lead-id="{lead_id}"]')
        assert "Tailspin Toys" in row.inner_text()
        assert row.locator(".urgency.hot").is_visible()  # the flame: the customer asked to be contacted
    finally:
        partner.context.close()
