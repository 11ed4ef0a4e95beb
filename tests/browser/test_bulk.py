"""Bulk decline from the lead list in Chromium, with "select all matching this view": on a wide screen answered at
once, on a phone as a job whose progress bar follows the JSON API until the results show. Screenshots go to
test-artifacts/bulk-*.png."""

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from referrals import demo
from referrals.config import Settings
from referrals.domain.enums import Status
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab
from referrals.services import bulk
from referrals.services.reading import list_leads
from referrals.store.db import make_engine, writing
from referrals.store.migrate import upgrade
from referrals.store.tables import users
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.browser.test_workspace import ADMIN, Server, chromium_browser, serving, shot
from tests.conftest import chromium_path

pytestmark = pytest.mark.browser

RECEIVED = LeadFilter(tab=Tab.MARKETPLACE, status=frozenset({Status.RECEIVED}))


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    chromium_path()
    url = f"sqlite:///{tmp_path_factory.mktemp('bulk-browser')}/demo.db"
    engine = make_engine(url)
    upgrade(engine)
    program = demo.seed(engine, now=factories.NOW, leads_count=160)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.email == ADMIN).values(language="en"))
    for country, count in (("PT", 14), ("NL", 9)):  # fresh leads to decline, a set per screen
        for index in range(count):
            factories.ingest(engine, factories.CONTACT_ME, program.partners["contoso"],
                             now=factories.NOW - timedelta(hours=index + 1),
                             customer={"company": f"Cliente {country} {index:02d}", "country": country,
                                       "email": f"buyer{index}@{country.lower()}.example"})
    app = create_app(Settings(database_url=url, secret_key="browser-test-secret-0123456789"), engine=engine)
    app.dependency_overrides[get_now] = lambda: factories.NOW
    # The job queue's stand-in: a thread runs the job, as a worker would.
    app.state.start_bulk_job = lambda partner_id, job_id: threading.Thread(
        target=bulk.run_job, args=(engine, partner_id, job_id), kwargs={"clock": lambda: factories.NOW}).start()
    with serving(app) as base:
        yield Server(base, engine, program, [])
    engine.dispose()


@pytest.fixture(scope="module")
def browser(server: Server):
    with chromium_browser() as chromium:
        yield chromium


def _admin(server: Server):
    from referrals.services.auth import principal_for_user
    from referrals.store.db import reading

    with reading(server.engine) as conn:
        return principal_for_user(conn, conn.execute(users.select().where(users.c.email == ADMIN)).first().id)


def _received_in(server: Server, country: str) -> list[str]:
    view = replace(RECEIVED, country=frozenset({country}))
    return [item.id for item in list_leads(server.engine, _admin(server), PageRequest(view, Sort.NEWEST, 200)).items]


def _page(browser, server: Server, width: int, height: int, problems: list[str]):
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") and "Failed to load resource" not in message.text else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.goto("/signin")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/leads")
    return page


def _decline_all_matching(page, country: str, count: int, name: str) -> None:
    page.goto(f"/leads?tab=marketplace&status=received&country={country}")
    page.get_by_test_id("bulk-all").check()
    assert page.locator("input[data-bulk-row]:checked").count() == page.locator("input[data-bulk-row]").count()
    assert page.locator("[data-bulk-status]").inner_text() == f"All {count} leads matching this view"
    page.get_by_test_id("bulk-action").select_option("decline")
    shot(page, f"bulk-{name}-1-selected.png", full_page=False)
    page.get_by_test_id("bulk-go").click()
    assert page.get_by_test_id("bulk-question").inner_text() == f"Decline {count} leads?"
    assert page.get_by_text("Each customer will be told to choose another partner.").is_visible()
    page.get_by_label("Reason").select_option("chose_another_vendor")
    page.get_by_label("Notes").fill("Closed the quarter with other vendors.")
    shot(page, f"bulk-{name}-2-confirm.png")
    page.get_by_test_id("bulk-yes").click()


def test_bulk_decline_of_all_matching_on_a_wide_screen(browser, server: Server):
    problems: list[str] = []
    page = _page(browser, server, 1400, 900, problems)
    country = "PT"
    ids = _received_in(server, country)
    assert len(ids) >= 14  # ours, and any the demo made

    _decline_all_matching(page, country, len(ids), "wide")

    assert page.get_by_test_id("bulk-summary").inner_text().startswith(f"{len(ids)} leads done")
    assert page.locator('[data-testid="bulk-results"] tbody tr.done').count() == len(ids)
    shot(page, "bulk-wide-3-results.png")
    assert _received_in(server, country) == []
    assert problems == []
    page.context.close()


def test_bulk_decline_of_all_matching_on_a_phone_runs_as_a_job_with_a_progress_bar(browser, server: Server,
                                                                                   monkeypatch):
    monkeypatch.setattr(bulk, "AT_ONCE", 1)  # a job at the size of the demo
    problems: list[str] = []
    page = _page(browser, server, 390, 844, problems)
    country = "NL"
    ids = _received_in(server, country)
    assert len(ids) >= 9  # ours, and any the demo made

    _decline_all_matching(page, country, len(ids), "phone")

    page.wait_for_url("**/leads/bulk/*")
    page.get_by_test_id("bulk-summary").wait_for(timeout=15_000)  # the script polled the job, then reloaded
    assert page.get_by_test_id("bulk-summary").inner_text().startswith(f"{len(ids)} leads done")
    assert page.get_by_test_id("bulk-progress").get_attribute("value") == str(len(ids))
    shot(page, "bulk-phone-3-results.png")
    assert _received_in(server, country) == []
    assert problems == []
    page.context.close()
