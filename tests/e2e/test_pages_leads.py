"""The lead list page: tabs and counts, filters from the URL, sort, keyset pages, hearts and export."""

import csv
import io
from dataclasses import replace

import pytest
from sqlalchemy import Engine, event

from referrals.domain.enums import CallToAction, Role, Source
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab
from referrals.services.export import export_csv
from referrals.services.reading import list_leads, tab_counts
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, lead_ids, pages_app


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    kinds = [factories.CONTACT_ME, factories.PROFILE, factories.SALES, factories.FREE_TRIAL, factories.MARKETING]
    for index in range(15):
        kind = kinds[index % len(kinds)]
        country = "IT" if index % 2 else "DE"
        factories.ingest(engine, kind, tenant.partner_id, now=factories.NOW - factories.days(index),
                         customer={"company": f"Cliente {index:02d} Società", "country": country})
    return tenant


@pytest.fixture
def browser(engine: Engine, world) -> Browser:
    browser = Browser(pages_app(engine, Clock()))
    browser.enter_as(engine, "ada@contoso.example")
    return browser


def admin(engine: Engine, world):
    from referrals.services.auth import principal_for_user
    from referrals.store.db import reading
    from referrals.store.tables import users

    with reading(engine) as conn:
        user_id = conn.execute(users.select().where(users.c.email == "ada@contoso.example")).first().id
        return principal_for_user(conn, user_id)


def test_the_list_shows_the_service_page_for_the_filters_in_the_url(browser: Browser, engine: Engine, world):
    url = "/leads?tab=marketplace&country=IT&call_to_action=contact_me&call_to_action=free_trial&sort=customer"
    page = browser.get(url)
    assert page.status_code == 200
    wanted = LeadFilter(tab=Tab.MARKETPLACE, country=frozenset({"IT"}),
                        call_to_action=frozenset({CallToAction.CONTACT_ME, CallToAction.FREE_TRIAL}))
    expected = list_leads(engine, admin(engine, world), PageRequest(wanted, Sort.CUSTOMER))
    assert lead_ids(page.text) == [item.id for item in expected.items]
    assert expected.items
    # the filter bar shows the view it came from
    assert '<option value="IT" selected>' in page.text
    assert 'name="call_to_action" value="contact_me" checked' in page.text


def test_tab_counts_follow_the_filters(browser: Browser, engine: Engine, world):
    page = browser.get("/leads?country=DE")
    counts = tab_counts(engine, admin(engine, world), LeadFilter(country=frozenset({"DE"})))
    # the view's own tab comes with the page; the other tabs from /leads/counts, which the page's script asks for
    assert f'data-count="marketplace">{counts[Tab.MARKETPLACE]}<' in page.text
    assert 'data-count="qualified"' not in page.text
    assert 'data-counts-url="/leads/counts?tab=marketplace&amp;country=DE' in page.text
    later = browser.get("/leads/counts?tab=marketplace&country=DE").json()
    assert later["tabs"] == {"qualified": str(counts[Tab.QUALIFIED])}
    # under a filter the reader's hearts are counted on the favorites tab only (each is a row read)
    assert 'data-count="favorites"' not in page.text
    favorites = browser.get("/leads?tab=favorites&country=DE")
    assert f'data-count="favorites">{counts[Tab.FAVORITES]}<' in favorites.text


def test_tab_counts_equal_the_length_of_each_tabs_full_list(engine: Engine, world):
    principal = admin(engine, world)
    for lead_filter in (LeadFilter(), LeadFilter(country=frozenset({"IT"})), LeadFilter(source=frozenset(Source))):
        counts = tab_counts(engine, principal, lead_filter)
        for tab, count in counts.items():
            listed = list_leads(engine, principal, PageRequest(replace(lead_filter, tab=tab), limit=200)).items
            assert count == len(listed)


def test_customer_search_ignores_case_and_accents(browser: Browser):
    page = browser.get("/leads?tab=qualified&customer=SOCIETA")
    assert len(lead_ids(page.text)) == 6


def test_unknown_filter_values_are_dropped_not_fatal(browser: Browser):
    assert browser.get("/leads?status=bogus&sort=nope&tab=nope&spam=maybe").status_code == 200


def test_next_page_follows_the_keyset_cursor(browser: Browser, engine: Engine, world):
    first = browser.get("/leads?tab=marketplace")
    assert len(lead_ids(first.text)) == 9  # 15 leads: 9 marketplace, all on one page of 50
    assert 'rel="next"' not in first.text
    principal = admin(engine, world)
    page_one = list_leads(engine, principal, PageRequest(LeadFilter(tab=Tab.MARKETPLACE), limit=5))
    second = browser.get(f"/leads?tab=marketplace&sort=-created_at&cursor={page_one.next_cursor}")
    assert second.status_code == 200
    # the cursor from a 5-row page continues after row 5 of the same order
    assert lead_ids(second.text)[0] not in {item.id for item in page_one.items}


def test_a_broken_cursor_answers_a_clear_error(browser: Browser):
    response = browser.get("/leads?cursor=not-a-cursor")
    assert response.status_code == 422
    assert "start again from the first page" in response.text


def test_the_heart_toggles_with_a_plain_post_and_with_fetch(browser: Browser):
    lead_id = lead_ids(browser.get("/leads").text)[0]
    response = browser.post(f"/leads/{lead_id}/favorite", {"favorite": "1", "next": "/leads?tab=marketplace"})
    assert response.status_code == 303 and response.headers["location"] == "/leads?tab=marketplace"
    assert lead_ids(browser.get("/leads?tab=favorites").text) == [lead_id]
    answer = browser.post(f"/leads/{lead_id}/favorite", {"favorite": "0"}, headers={"Accept": "application/json"})
    assert answer.json() == {"favorite": False}
    assert lead_ids(browser.get("/leads?tab=favorites").text) == []


def test_export_downloads_exactly_the_filtered_list(browser: Browser, engine: Engine, world):
    response = browser.get("/leads/export.csv?tab=marketplace&country=IT&sort=customer")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    wanted = LeadFilter(tab=Tab.MARKETPLACE, country=frozenset({"IT"}))
    expected = "".join(export_csv(engine, admin(engine, world), wanted, Sort.CUSTOMER))
    assert response.text == expected
    assert rows and all(row["CustomerCountry"] == "IT" for row in rows)
    excel = browser.get("/leads/export.csv?tab=marketplace&country=IT&sort=customer&bom=1")
    assert excel.content == b"\xef\xbb\xbf" + response.content
    assert 'data-testid="export-excel"' in browser.get("/leads?tab=marketplace").text


def test_the_list_page_reads_the_database_a_fixed_number_of_times(browser: Browser, engine: Engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                     "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert browser.get("/leads?tab=marketplace").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # who is signed in, the page (and the owners it names), the tab counts (leads by kind, then hearts), the
    # bell, the team (the owner filter's choices): no query per row. The Marketplace tab is sorted by urgency, whose
    # page reads its three groups one after the other until it is full (two more when they are short)
    assert len(statements) <= 9, statements


def test_another_partners_lead_is_not_found(browser: Browser, engine: Engine):
    other = factories.add_tenant(engine, "Northwind Partners")
    lead = factories.ingest(engine, factories.CONTACT_ME, other.partner_id)
    assert browser.get(f"/leads/{lead.id}").status_code == 404
    assert browser.post(f"/leads/{lead.id}/favorite", {"favorite": "1"}).status_code == 404
