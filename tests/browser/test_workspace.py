"""The workspace in a real browser: Debian's Chromium, headless, against a uvicorn server on the demo data.

A Referrals admin of Contoso filters, hearts, exports, accepts (first with a missing field), declines,
marks a deal won and switches to Italian; a Referrals user sees no actions; another partner's lead is 404.
Screenshots go to test-artifacts/ (and the list's to docs/screenshot-list.png with REFERRALS_UPDATE_SCREENSHOT=1).
"""

import csv
import io
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine, update

from referrals import demo
from referrals.config import Settings
from referrals.domain.enums import EmailValidity, LeadType
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab
from referrals.services.action_center import action_items
from referrals.services.export import export_csv
from referrals.services.reading import get_lead, list_leads
from referrals.store.db import make_engine, writing
from referrals.store.migrate import upgrade
from referrals.store.tables import users
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.conftest import chromium_path

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ADMIN, READER = "admin@contoso.example", "user@contoso.example"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@dataclass
class Server:
    url: str
    engine: Engine
    program: demo.DemoProgram
    fresh: list[str]  # new Contact me leads of Contoso, waiting for an answer

    @property
    def admin(self):
        return self.program.principals["contoso"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    chromium_path()
    folder = tempfile.mkdtemp(prefix="referrals-browser-")
    url = f"sqlite:///{folder}/demo.db"
    engine = make_engine(url)
    upgrade(engine)
    program = demo.seed(engine, now=factories.NOW, leads_count=120)
    with writing(engine) as conn:  # the admin starts in English; the test switches to Italian
        conn.execute(update(users).where(users.c.email == ADMIN).values(language="en"))
    fresh = [
        factories.ingest(engine, factories.CONTACT_ME, program.partners["contoso"],
                         now=factories.NOW - timedelta(hours=hours),
                         customer={"company": company, "email": f"buyer@{company.split()[0].lower()}.example"}).id
        for hours, company in ((5, "Tailspin Toys"), (30, "Wingtip Travel"), (50, "Litware Inc"))
    ]
    app = create_app(Settings(database_url=url, secret_key="browser-test-secret-0123456789"), engine=engine)
    app.dependency_overrides[get_now] = lambda: factories.NOW
    with serving(app) as url:
        yield Server(url, engine, program, fresh)
    engine.dispose()


@contextmanager
def serving(app) -> Iterator[str]:
    """The app on a real uvicorn server in a thread, on a free port; yields its base URL."""
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser(server: Server):
    with chromium_browser() as chromium:
        yield chromium


def signed_in(browser, server: Server, email: str):
    context = browser.new_context(base_url=server.url, accept_downloads=True, viewport={"width": 1280, "height": 900},
                                  locale="en-US")
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/leads")
    return page


@pytest.fixture
def admin_page(browser, server: Server):
    page = signed_in(browser, server, ADMIN)
    yield page
    page.context.close()


def shot(page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def shown_ids(page) -> list[str]:
    return page.locator("table.leads tbody tr").evaluate_all("rows => rows.map(r => r.dataset.leadId)")


TWO_FILTERS = LeadFilter(tab=Tab.MARKETPLACE, type=frozenset({LeadType.OFFER}),
                         email_validity=frozenset({EmailValidity.VALID}))


def apply_two_filters(page) -> None:
    page.get_by_test_id("filter-panel").locator("summary").first.click()  # the folded filter panel
    page.locator("summary", has_text="Lead type").click()
    page.get_by_label("Offer", exact=True).check()
    page.locator("summary", has_text="Email validity").click()
    page.get_by_label("Email valid", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**type=offer**")


def test_filtering_by_two_filters_shows_what_the_service_returns(admin_page, server: Server):
    page = admin_page
    apply_two_filters(page)
    expected = list_leads(server.engine, server.admin, PageRequest(TWO_FILTERS, Sort.NEWEST))
    assert expected.items, "the demo data should have offer leads with a valid email"
    assert shown_ids(page) == [item.id for item in expected.items]
    assert "email_validity=valid" in page.url  # the view is in the URL
    shot(page, "list.png")
    if os.environ.get("REFERRALS_UPDATE_SCREENSHOT") == "1":  # refresh the README's picture on purpose only
        page.screenshot(path=str(ROOT / "docs" / "screenshot-list.png"))


def test_a_heart_toggles_in_place_and_the_lead_is_in_favorites(admin_page, server: Server):
    page = admin_page
    row = page.locator("table.leads tbody tr").first
    lead_id = row.get_attribute("data-lead-id")
    before = int(page.locator('[data-count="favorites"]').inner_text())
    heart = row.locator("button.heart")
    heart.focus()
    page.keyboard.press("Enter")  # keyboard only
    page.wait_for_function(
        "id => document.querySelector(`tr[data-lead-id='${id}'] button.heart`).getAttribute('aria-pressed') === 'true'",
        arg=lead_id)
    assert page.url.endswith("/leads")  # toggled in place, no navigation
    assert int(page.locator('[data-count="favorites"]').inner_text()) == before + 1
    page.get_by_role("link", name="Favorites").click()
    page.wait_for_url("**tab=favorites**")
    assert lead_id in shown_ids(page)


def test_export_downloads_the_filtered_list(admin_page, server: Server):
    page = admin_page
    apply_two_filters(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download_info.value.path()).read_bytes().decode("utf-8")
    assert text == "".join(export_csv(server.engine, server.admin, TWO_FILTERS, Sort.NEWEST))
    exported = [row["LeadId"] for row in csv.DictReader(io.StringIO(text))]
    assert exported[: len(shown_ids(page))] == shown_ids(page)


def test_accept_with_a_missing_field_then_correctly_then_mark_it_won(admin_page, server: Server):
    page = admin_page
    lead_id = server.fresh[0]
    assert lead_id in {item.lead.id for item in action_items(server.engine, server.admin)}
    page.get_by_test_id("bell").click()  # the action center links to the lead
    page.locator(f'a[href="/leads/{lead_id}"]').click()
    page.wait_for_url(f"**/leads/{lead_id}")
    assert page.locator(".banner.hot").is_visible()  # asked 5 hours ago: the flame
    shot(page, "detail.png")
    page.locator("summary", has_text="Accept").click()
    form = page.get_by_test_id("accept-form")
    form.get_by_label("Estimated value").fill("12500")
    form.get_by_label("Contoso Consulting admin").check()
    form.get_by_label("Estimated purchase date").fill("2026-05-15")
    form.get_by_label("Notes").fill("Call booked for Friday.")
    shot(page, "accept-form.png")
    form.get_by_role("button", name="Accept the lead").click()
    error = page.locator("#err-deal_name")
    assert error.inner_text() == "Enter the deal name."
    assert page.get_by_test_id("accept-form").get_by_label("Notes").input_value() == "Call booked for Friday."
    assert get_lead(server.engine, server.admin, lead_id).lead.status == "received"
    shot(page, "accept-form-error.png")

    form = page.get_by_test_id("accept-form")
    assert form.get_by_label("Deal name").evaluate("el => el === document.activeElement")  # focus on the error
    form.get_by_label("Deal name").fill("Contoso pilot")
    form.get_by_role("button", name="Accept the lead").click()
    page.get_by_text("Lead accepted.").wait_for()
    assert get_lead(server.engine, server.admin, lead_id).lead.status == "accepted"

    page.locator("summary", has_text="Won or lost").click()
    close = page.get_by_test_id("close-form")
    close.get_by_label("Won").check()
    close.get_by_role("button", name="Close the deal").click()
    page.get_by_text("Deal closed.").wait_for()
    final = get_lead(server.engine, server.admin, lead_id).lead
    assert (final.status, final.outcome) == ("archived", "won")
    assert page.get_by_test_id("close-form").count() == 0  # archived: no actions


def test_decline_another_lead(admin_page, server: Server):
    page = admin_page
    lead_id = server.fresh[1]
    page.goto(f"/leads/{lead_id}")
    page.locator("summary", has_text="Decline").click()
    form = page.get_by_test_id("decline-form")
    form.get_by_label("Reason").select_option("timeline_too_short")
    form.get_by_label("Notes").fill("They need it next week.")
    form.get_by_role("button", name="Decline the lead").click()
    page.get_by_text("Lead declined.").wait_for()
    assert get_lead(server.engine, server.admin, lead_id).lead.outcome == "declined"


def test_switching_to_italian_shows_the_page_in_italian(admin_page, server: Server):
    page = admin_page
    page.get_by_role("button", name="Italiano").click()
    page.wait_for_selector("html[lang=it]")
    assert page.get_by_role("link", name="Lead del marketplace").count() == 1
    assert page.get_by_test_id("search-go").inner_text() == "Cerca"
    page.get_by_test_id("filter-panel").locator("summary").first.click()  # the folded filter panel
    assert page.get_by_role("button", name="Applica i filtri").is_visible()
    shot(page, "list-it.png")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")


def test_a_referrals_user_sees_no_action_buttons(browser, server: Server):
    page = signed_in(browser, server, READER)
    try:
        page.goto(f"/leads/{server.fresh[2]}")
        assert page.locator("h1").inner_text()
        assert page.get_by_test_id("accept-form").count() == 0
        assert page.get_by_test_id("decline-form").count() == 0
        assert page.get_by_test_id("bell").count() == 0
    finally:
        page.context.close()


def test_another_partners_lead_answers_404(admin_page, server: Server):
    other = list_leads(server.engine, server.program.principals["fabrikam"], PageRequest(LeadFilter()))
    response = admin_page.goto(f"/leads/{other.items[0].id}")
    assert response.status == 404


def test_the_list_fits_a_phone_width_screen(browser, server: Server):
    page = signed_in(browser, server, READER)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/leads")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shot(page, "list-phone.png", full_page=False)
        assert overflow <= 1
    finally:
        page.context.close()
