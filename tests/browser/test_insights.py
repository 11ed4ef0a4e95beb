"""The insights pages in Chromium, on the demo data: a partner's and the program's, in English and Italian, on
screen and in print; each chart's table holds the same numbers as the API, and nothing breaks the Content Security
Policy. Screenshots go to test-artifacts/insights-*.png."""

import re
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from referrals import demo
from tests.browser.test_workspace import ADMIN, Server, chromium_browser, server, shot  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PROGRAM_ADMIN = "admin@program.example"


@pytest.fixture(scope="module")
def browser(server: Server):  # noqa: F811 (the imported fixture)
    with chromium_browser() as chromium:
        yield chromium


def signed_in(browser, server: Server, email: str, messages: list[str]):  # noqa: F811
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.on("console", lambda message: messages.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def number(text: str, lang: str) -> float | None:
    """A figure as the page shows it (English or Italian digits) → a number; a percentage → a share."""
    text = text.strip().replace("\xa0", "").replace("\u202f", "")
    if text in ("–", ""):
        return None
    thousands, decimal = (",", ".") if lang == "en" else (".", ",")
    share = text.endswith("%")
    value = float(text.rstrip("%").replace(thousands, "").replace(decimal, "."))
    return round(value / 100, 4) if share else value


def shown_as(value, name: str):
    """The API's figure as the page shows it: rates as percentages with one decimal."""
    if value is None or not name.endswith(("rate", "within_24h", "within_72h", "sla_met", "actual")):
        return value
    shown = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), ROUND_HALF_EVEN)  # as Babel rounds
    return round(float(shown) / 100, 4)


def table(page, testid: str) -> list[dict[str, float | None]]:
    lang = page.locator("html").get_attribute("lang")
    rows = page.locator(f'[data-testid="{testid}"] tbody tr').evaluate_all(
        "rows => rows.map(r => Object.fromEntries([...r.querySelectorAll('[data-figure]')]"
        ".map(c => [c.dataset.figure, c.textContent])))")
    return [{name: number(value, lang) for name, value in row.items()} for row in rows]


def expect(rows: list[dict]) -> list[dict]:
    return [{name: shown_as(value, name) for name, value in row.items()} for row in rows]


def api(page, path: str) -> dict:
    response = page.request.get(path)  # the pages' session is good for the API
    assert response.ok, response.text()
    return response.json()


def check_tables_hold_the_apis_numbers(page, body: dict) -> None:
    series = [{k: v for k, v in point.items() if k != "start"} for point in body["series"]]
    assert table(page, "flow-table") == series
    response = body["response"]
    assert table(page, "response-table") == expect([{name: response[name]} for name in (
        "answered", "median_hours", "p90_hours", "within_24h", "within_72h", "sla_met")])
    for name in ("source", "call_to_action", "country", "quality"):
        shown = table(page, f"breakdown-{name}") if body["breakdown"][name] else []
        columns = ("received", "accepted", "won", "lost", "acceptance_rate", "win_rate", "median_hours")
        assert shown == expect([{k: row[k] for k in columns} for row in body["breakdown"][name]]), name


def to_italian(page) -> None:
    page.get_by_role("button", name="Italiano").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "it"


def test_the_partner_page_in_english_and_italian_holds_the_apis_numbers(browser, server: Server):  # noqa: F811
    messages: list[str] = []
    page = signed_in(browser, server, ADMIN, messages)
    page.goto("/insights?from=2025-09-01&to=2026-03-02&interval=month")
    assert page.get_by_role("heading", name="Insights", exact=True).is_visible()
    body = api(page, "/api/v1/insights?from=2025-09-01&to=2026-03-02&interval=month")
    assert body["totals"]["received"] > 0, "the demo data should give Contoso leads in the period"
    check_tables_hold_the_apis_numbers(page, body)
    assert page.locator('[data-testid="flow-chart"] rect').count() > 0
    shot(page, "insights-partner-en.png")
    page.emulate_media(media="print")
    shot(page, "insights-partner-print.png")
    page.emulate_media(media="screen")
    to_italian(page)
    assert page.get_by_role("heading", name="Approfondimenti", exact=True).is_visible()
    check_tables_hold_the_apis_numbers(page, body)
    shot(page, "insights-partner-it.png")
    assert [m for m in messages if "content security policy" in m.lower() or m.startswith("pageerror")] == []
    page.context.close()


def test_the_program_page_holds_the_partner_table_and_the_calibration(browser, server: Server):  # noqa: F811
    messages: list[str] = []
    page = signed_in(browser, server, PROGRAM_ADMIN, messages)
    page.goto("/program/insights?from=2025-09-01&to=2026-03-02")
    body = api(page, "/api/v1/insights?from=2025-09-01&to=2026-03-02")
    check_tables_hold_the_apis_numbers(page, body)
    partners = api(page, "/api/v1/insights/partners?from=2025-09-01&to=2026-03-02")["partners"]
    shown = page.locator('[data-testid="partner-table"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.partnerId)")
    assert shown == [p["partner_id"] for p in partners][: len(shown)]
    assert table(page, "partner-table")[0]["received"] == partners[0]["totals"]["received"]
    calibration = api(page, "/api/v1/insights/quality?from=2025-09-01&to=2026-03-02")
    assert table(page, "calibration-table") == expect([
        {"leads": band["leads"], "won": band["won"], "actual": band["actual"]} for band in calibration["bands"]])
    shot(page, "insights-program-en.png")
    # one partner, picked from the table
    page.locator('[data-testid="partner-table"] tbody tr th a').first.click()
    page.wait_for_url(re.compile(r".*partner_id=.*"))
    one = api(page, f"/api/v1/insights?from=2025-09-01&to=2026-03-02&partner_id={shown[0]}")
    check_tables_hold_the_apis_numbers(page, one)
    page.go_back()
    to_italian(page)
    assert page.get_by_role("heading", name="Approfondimenti del programma").is_visible()
    check_tables_hold_the_apis_numbers(page, body)
    shot(page, "insights-program-it.png")
    assert [m for m in messages if "content security policy" in m.lower() or m.startswith("pageerror")] == []
    page.context.close()
