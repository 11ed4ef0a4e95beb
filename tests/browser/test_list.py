"""The dense lead list in Chromium, on a desktop (1400×900) and a phone (390×844): how many leads the first screen
shows, search, the country type-ahead and the filter chips, a saved view (saved, shown as a chip with its count,
opened, renamed, deleted), keyboard navigation (j/k, f, Enter, /, ?), and an invalid form's error style. Nothing
breaks the Content Security Policy. Screenshots go to test-artifacts/list-*.png."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from referrals import demo
from referrals.config import Settings
from referrals.domain.listing import LeadFilter, Tab
from referrals.services.list_counts import count_leads
from referrals.services.reading import get_lead
from referrals.store.db import make_engine, writing
from referrals.store.migrate import upgrade
from referrals.store.tables import users
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.browser.test_team import VIEWPORTS, broken_policy
from tests.browser.test_workspace import ADMIN, Server, chromium_browser, serving, shot
from tests.conftest import chromium_path

pytestmark = pytest.mark.browser

BAD = "rgb(155, 28, 28)"  # --bad


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    chromium_path()
    url = f"sqlite:///{tmp_path_factory.mktemp('list-browser')}/demo.db"
    engine = make_engine(url)
    upgrade(engine)
    program = demo.seed(engine, now=factories.NOW, leads_count=160)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.email == ADMIN).values(language="en"))
    fresh = [factories.ingest(engine, factories.CONTACT_ME, program.partners["contoso"],
                              now=factories.NOW - timedelta(hours=index + 1),
                              customer={"company": f"Zephyr Nord {index:02d}", "country": "NO",
                                        "email": f"buyer{index}@zephyr.example",
                                        "phone": f"+47 22 12 34 5{index}"}).id
             for index in range(4)]
    app = create_app(Settings(database_url=url, secret_key="browser-test-secret-0123456789"), engine=engine)
    app.dependency_overrides[get_now] = lambda: factories.NOW
    with serving(app) as base:
        yield Server(base, engine, program, fresh)
    engine.dispose()


@pytest.fixture(scope="module")
def browser(server: Server):
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, server: Server):
    messages: list[str] = []
    context = browser.new_context(base_url=server.url, viewport=VIEWPORTS[request.param], locale="en-US")
    tab = context.new_page()
    tab.on("console", lambda message: messages.append(f"console {message.type}: {message.text}"))
    tab.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    tab.goto("/signin")
    tab.get_by_label("Email").fill(ADMIN)
    tab.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/leads")
    tab.size = request.param
    yield tab
    assert broken_policy(messages) == []
    context.close()


def rows(page):
    return page.locator("table.leads tbody tr")


def test_the_first_screen_shows_many_leads_on_a_desktop_and_short_cards_on_a_phone(page):
    boxes = rows(page).evaluate_all("rs => rs.map(r => r.getBoundingClientRect().toJSON())")
    shot(page, f"list-{page.size}.png", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    if page.size == "desktop":
        assert sum(box["bottom"] <= 900 for box in boxes) >= 18
        assert {round(box["height"]) for box in boxes[:18]} <= set(range(20, 40))  # one line each
    else:
        assert boxes[0]["bottom"] <= 844  # the first lead on the first screen
        assert max(box["height"] for box in boxes) <= 160


def test_search_and_the_country_type_ahead_make_removable_filter_chips(page, server: Server):
    page.get_by_text("Filters", exact=True).click()
    country = page.get_by_role("combobox", name="Country/region")
    country.fill("norw")
    page.get_by_role("option", name="Norway").click()
    assert page.locator(".countries .chip").inner_text().startswith("Norway")
    page.get_by_label("Search", exact=True).fill("zephyr")
    shot(page, f"list-{page.size}-filters.png", full_page=False)
    page.get_by_label("Search", exact=True).press("Enter")
    page.wait_for_url("**country=NO**")

    assert "q=zephyr" in page.url
    chips = page.get_by_test_id("filter-chips")
    assert chips.get_by_text("Search: zephyr").is_visible() and chips.get_by_text("Country/region: Norway").is_visible()
    assert rows(page).count() == 4
    assert page.get_by_test_id("position").inner_text() == "1–4 of 4"
    shot(page, f"list-{page.size}-chips.png", full_page=False)

    chips.get_by_role("link", name="Remove the filter Search: zephyr").click()
    page.wait_for_url(lambda url: "q=" not in url)
    assert "country=NO" in page.url and page.get_by_test_id("filter-chips").get_by_text("Search").count() == 0


def test_a_saved_view_shows_as_a_chip_with_its_count_and_is_renamed_then_deleted(page, server: Server):
    name = f"Norway {page.size}"
    page.goto("/leads?tab=marketplace&country=NO&status=received")
    page.locator("summary", has_text="Save this view").click()
    form = page.get_by_test_id("save-view")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Share with everyone in my company").check()
    shot(page, f"list-{page.size}-save-view.png", full_page=False)
    form.get_by_role("button", name="Save view").click()
    page.get_by_text("View saved.").wait_for()

    received_in_norway = LeadFilter(tab=Tab.MARKETPLACE, country=frozenset({"NO"}), status=frozenset({"received"}))
    expected = count_leads(server.engine, server.admin, received_in_norway).value
    chip = page.get_by_test_id("views").get_by_role("link", name=name)
    assert chip.get_attribute("aria-current") == "true"
    chip.locator(".count").wait_for()  # filled in by the page's script from /leads/counts
    assert chip.locator(".count").inner_text() == str(expected)
    qualified = count_leads(server.engine, server.admin, replace(received_in_norway, tab=Tab.QUALIFIED)).value
    assert page.locator('.tabs [data-count="qualified"]').inner_text() == str(qualified)  # the same request's
    shot(page, f"list-{page.size}-view-chip.png", full_page=False)
    page.goto("/leads")
    page.get_by_test_id("views").get_by_role("link", name=name).click()
    page.wait_for_url("**country=NO**")
    assert "status=received" in page.url and rows(page).count() == expected

    page.get_by_role("link", name="Manage views").click()
    item = page.locator("[data-testid=view-list] li", has_text=name)
    item.get_by_label("Name").fill(f"{name}, waiting")
    item.get_by_role("button", name="Rename").click()
    page.get_by_text("View saved.").wait_for()
    shot(page, f"list-{page.size}-views.png")
    page.locator("[data-testid=view-list] li", has_text=f"{name}, waiting").get_by_role("button", name="Delete").click()
    page.get_by_text("View deleted.").wait_for()
    assert page.locator("[data-testid=view-list] li", has_text=name).count() == 0


def test_the_keyboard_moves_hearts_searches_lists_the_keys_and_opens_a_lead(page, server: Server):
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    current = page.locator("table.leads tbody tr.current")
    assert current.count() == 1
    assert current.get_attribute("data-lead-id") == rows(page).first.get_attribute("data-lead-id")
    lead_id = rows(page).nth(1).get_attribute("data-lead-id")
    page.keyboard.press("j")
    before = page.locator(f"tr[data-lead-id='{lead_id}'] button.heart").get_attribute("aria-pressed")
    page.keyboard.press("f")
    page.wait_for_function(
        "([id, was]) => document.querySelector(`tr[data-lead-id='${id}'] button.heart`)"
        ".getAttribute('aria-pressed') !== was",
        arg=[lead_id, before])

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    shot(page, f"list-{page.size}-keys.png", full_page=False)
    page.keyboard.press("Escape")
    assert not dialog.is_visible()

    page.keyboard.press("/")
    assert page.get_by_label("Search", exact=True).evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")
    page.locator("h1").click()  # out of the search box: the keys work again, from the row marked current
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/leads/{lead_id}")


def test_an_invalid_form_marks_its_text_email_and_date_inputs(page, server: Server):
    lead_id = server.fresh[0 if page.size == "desktop" else 1]
    page.goto(f"/leads/{lead_id}")
    page.locator("summary", has_text="Accept").click()
    form = page.get_by_test_id("accept-form")
    form.locator("input[name='contact-0-email']").fill("not an address")
    form.get_by_role("button", name="Accept the lead").click()
    page.locator("#err-deal_name").wait_for()

    form = page.get_by_test_id("accept-form")
    marked = form.locator("input[aria-invalid='true']")
    kinds = set(marked.evaluate_all("els => els.map(e => e.type)"))
    assert {"text", "email", "date"} <= kinds, kinds
    for index in range(marked.count()):
        style = marked.nth(index).evaluate(
            "e => [getComputedStyle(e).borderTopColor, getComputedStyle(e).borderTopWidth]")
        assert style == [BAD, "2px"], (marked.nth(index).get_attribute("name"), style)
    shot(page, f"list-{page.size}-form-error.png")
    assert get_lead(server.engine, server.admin, lead_id).lead.status == "received"



def test_the_marketplace_tab_is_most_urgent_first_and_another_sort_is_one_choice_away(page):
    assert page.get_by_label("Sort by").evaluate("s => s.options[s.selectedIndex].text") == "Most urgent first"
    assert rows(page).first.locator(".urgency.hot").count() == 1  # a hot lead heads the list
    page.get_by_label("Sort by").select_option(label="Newest first")
    page.get_by_test_id("search-go").click()
    page.wait_for_url("**sort=-created_at**")
    assert page.get_by_label("Sort by").evaluate("s => s.options[s.selectedIndex].text") == "Newest first"
    shot(page, f"list-{page.size}-newest.png", full_page=False)
