"""Saved views and the list's position in the pages, as plain form posts and links (no script): save the current
view from the list, see it as a chip with its count, open, rename and delete it on /leads/views; a colleague's
private view cannot be touched; the list says "1–50 of 55" and "51–55 of 55" on its pages. On both databases."""

import re

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services import views
from referrals.services.ingest import ingest_many
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, lead_ids, pages_app

ITALY = "tab=marketplace&country=IT&status=received"


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    drafts = [factories.lead_draft(factories.CONTACT_ME, tenant.partner_id,
                                   customer={"company": f"Cliente {i:02d}", "country": "IT" if i % 5 else "DE"})
              for i in range(55)]
    ingest_many(engine, drafts, now=factories.NOW - factories.days(1))
    return tenant


@pytest.fixture
def browser(engine: Engine, world) -> Browser:
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, "ada@contoso.example")
    return browser


def chips(browser: Browser, url: str) -> dict[str, str]:
    """Each saved view's chip on the page at `url`: name → its count, which the page's script fills in from
    `/leads/counts` (the page itself is served with the names alone)."""
    html = browser.get(url).text
    counts_url = re.search(r'data-counts-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    counts = browser.get(counts_url).json()["views"]
    return {name.strip(): counts[view_id] for view_id, name in
            re.findall(r'class="chip view-chip"[^>]*data-view-id="([^"]+)"[^>]*>\s*([^<]+?)\s*</a>', html)}


def test_a_view_saved_from_the_list_shows_as_a_chip_with_its_count(browser: Browser):
    browser.get(f"/leads?{ITALY}")

    saved = browser.post("/leads/views", {"name": "Italy, waiting", "shared": "1", "view": ITALY})

    assert saved.status_code == 303 and saved.headers["location"] == f"/leads?{ITALY}"
    page = browser.get(saved.headers["location"])
    assert "View saved." in page.text
    assert re.search(r'class="chip view-chip"[^>]* aria-current="true"', page.text)  # the view being shown
    assert chips(browser, f"/leads?{ITALY}") == {"Italy, waiting": "44"}
    assert chips(browser, "/leads?tab=qualified") == {"Italy, waiting": "44"}


def test_a_view_is_renamed_and_deleted_on_the_manage_page(browser: Browser, engine: Engine, world):
    browser.get("/leads")
    browser.post("/leads/views", {"name": "Italy", "view": ITALY})
    [view] = views.list_views(engine, _ada(engine))

    assert browser.post(f"/leads/views/{view.id}", {"name": "Italia"}).headers["location"] == "/leads/views"
    page = browser.get("/leads/views")
    assert "Italia" in page.text and f'action="/leads/views/{view.id}/delete"' in page.text

    assert browser.post(f"/leads/views/{view.id}/delete", {}).status_code == 303
    assert views.list_views(engine, _ada(engine)) == []


def test_an_empty_name_is_refused_next_to_the_field(browser: Browser, engine: Engine):
    browser.get("/leads")

    page = browser.post("/leads/views", {"name": "  ", "view": ITALY})

    assert page.status_code == 422
    assert 'id="v-name"' in page.text and 'aria-invalid="true"' in page.text
    assert views.list_views(engine, _ada(engine)) == []


def test_a_colleagues_private_view_is_not_found(browser: Browser, engine: Engine, world):
    private = views.save_view(engine, world.reader, "Mine", {"tab": "qualified"}, False, now=factories.NOW)
    browser.get("/leads")

    assert browser.post(f"/leads/views/{private.id}/delete", {}).status_code == 404
    assert browser.post(f"/leads/views/{private.id}", {"name": "Taken"}).status_code == 404
    assert "Mine" not in browser.get("/leads/views").text
    assert [v.name for v in views.list_views(engine, world.reader)] == ["Mine"]


def test_the_list_says_where_each_page_sits(browser: Browser):
    first = browser.get("/leads?tab=marketplace")
    assert re.search(r'data-testid="position">1–50 of 55<', first.text)

    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "cursor=2." in next_url
    second = browser.get(next_url)
    assert re.search(r'data-testid="position">51–55 of 55<', second.text)
    assert len(lead_ids(second.text)) == 5 and not set(lead_ids(second.text)) & set(lead_ids(first.text))

    filtered = browser.get(f"/leads?{ITALY}")
    assert re.search(r'data-testid="position">1–44 of 44<', filtered.text)
    assert 'data-count="marketplace">44<' in filtered.text


def _ada(engine: Engine):
    from referrals.services.auth import principal_for_user
    from referrals.store.db import reading
    from referrals.store.tables import users

    with reading(engine) as conn:
        return principal_for_user(conn, conn.execute(users.select().where(users.c.email == "ada@contoso.example"))
                                  .first().id)


def test_contact_details_are_mailto_and_tel_links_on_the_list_and_the_lead_page(browser: Browser, engine: Engine,
                                                                               world):
    lead = factories.ingest(engine, factories.CONTACT_ME, world.partner_id,
                            customer={"email": "giulia@fabrikam.it", "phone": "+39 02 1234 5678"})

    listed = browser.get("/leads?tab=marketplace").text.split(f'data-lead-id="{lead.id}"', 1)[1].split("</tr>")[0]
    detail = browser.get(f"/leads/{lead.id}").text

    for html in (listed, detail):
        assert 'href="mailto:giulia@fabrikam.it"' in html and 'href="tel:+390212345678"' in html


def test_the_later_counts_are_a_signed_in_users_and_show_only_their_partners_views(browser: Browser, engine: Engine,
                                                                                 world):
    other = factories.add_tenant(engine, "Fabrikam")
    add_person(engine, other.partner_id, Role.REFERRALS_ADMIN, email="bo@fabrikam.example")
    theirs = Browser(pages_app(engine, Clock()))
    theirs.enter_as(engine, "bo@fabrikam.example")
    theirs.post("/leads/views", {"name": "Fabrikam's", "shared": "1", "view": ITALY})
    browser.post("/leads/views", {"name": "Italy, waiting", "shared": "1", "view": ITALY})

    anonymous = Browser(pages_app(engine, Clock())).get(f"/leads/counts?{ITALY}")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    ours = browser.get(f"/leads/counts?{ITALY}").json()
    assert list(ours["views"].values()) == ["44"] and ours["tabs"] == {"qualified": "0"}
    assert list(theirs.get(f"/leads/counts?{ITALY}").json()["views"].values()) == ["0"]  # their view, their leads
