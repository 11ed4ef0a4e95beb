"""The pages and the offline /docs work under the Content Security Policy, in Chromium: signing in, the list's
heart toggled in place, the lead page's copy buttons, the language switch, the directory, and Swagger UI
trying an operation. Chromium reports every blocked script, style or request to the console; none may."""

from collections.abc import Iterator

import pytest

from referrals import demo
from tests.browser.test_workspace import ADMIN, Server, chromium_browser, server  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(server: Server):  # noqa: F811 (the imported fixture)
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def watched(browser, server: Server) -> Iterator[tuple]:  # noqa: F811
    """A page whose console messages and uncaught errors are kept, from its first navigation on."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    yield page, messages
    context.close()


def violations(messages: list[str]) -> list[str]:
    return [m for m in messages if "content security policy" in m.lower() or m.startswith("pageerror")]


def test_the_workspace_works_under_the_policy(watched, server: Server):  # noqa: F811
    page, messages = watched
    response = page.goto("/signin")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/leads")

    row = page.locator("table.leads tbody tr").first
    lead_id = row.get_attribute("data-lead-id")
    row.locator("button.heart").click()
    page.wait_for_function(  # toggled by app.js in place: the script ran
        "id => document.querySelector(`tr[data-lead-id='${id}'] button.heart`).getAttribute('aria-pressed') === 'true'",
        arg=lead_id)
    assert page.url.endswith("/leads")

    page.goto(f"/leads/{server.fresh[2]}")
    copy = page.locator("button.copy").first
    copy.click()
    page.wait_for_function("b => b.textContent === b.dataset.done", arg=copy.element_handle())
    assert page.locator("link[rel=stylesheet]").evaluate("l => l.sheet.cssRules.length") > 0  # app.css applied

    page.get_by_role("button", name="Italiano").click()  # a form post answered by a redirect (form-action)
    page.wait_for_selector("html[lang=it]")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    page.goto("/directory")
    assert violations(messages) == []


def test_the_offline_api_docs_work_under_their_policy(watched, server: Server):  # noqa: F811
    page, messages = watched
    response = page.goto("/docs")
    assert "'sha256-" in response.headers["content-security-policy"]
    operation = page.locator(".opblock", has_text="/healthz")
    operation.locator(".opblock-summary").click()  # Swagger UI built the page from its inline script
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    operation.locator(".responses-table .response-col_status", has_text="200").first.wait_for()
    assert violations(messages) == []
