"""The insights pages: a partner's and the program's, their tables holding the API's numbers, the period in the
URL, Italian, no inline style or script (the Content-Security-Policy allows neither), and who may see which."""

import re
from datetime import timedelta

import pytest

from referrals.domain.enums import Outcome, Reason, Role
from referrals.services.insights import InsightQuery, insights
from referrals.services.lifecycle import accept_lead, close_lead, decline_lead
from referrals.services.sweep import sweep
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app

CREATED = factories.NOW - timedelta(days=30)


@pytest.fixture
def world(engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    leads = [factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=CREATED) for _ in range(4)]
    factories.ingest(engine, factories.FREE_TRIAL, tenant.partner_id, now=CREATED)
    at = CREATED + timedelta(hours=3)
    terms = factories.deal_terms(team=(tenant.admin.user_id,))
    accept_lead(engine, tenant.admin, leads[0].id, terms, now=at)
    accept_lead(engine, tenant.admin, leads[1].id, terms, now=at)
    decline_lead(engine, tenant.admin, leads[2].id, Reason.SPAM, "No.", now=at)
    sweep(engine, now=factories.NOW)
    close_lead(engine, tenant.admin, leads[0].id, Outcome.WON, None, "", now=factories.NOW)
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email="reader@contoso.example")
    add_person(engine, None, Role.PROGRAM_SELLER, email="seller@program.example", language="it")
    return tenant


def browser(engine, email):
    found = Browser(pages_app(engine, Clock()))
    found.enter_as(engine, email)
    return found


WEEK = (CREATED.date() - timedelta(days=CREATED.weekday())).isoformat()


def cells(html: str, testid: str, row: str = "") -> dict[str, str]:
    """The data-figure cells of one table (of its row whose opening tag has `row`), by figure name."""
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S).group(0)
    if row:
        table = re.search(rf"<tr[^>]*{re.escape(row)}.*?</tr>", table, re.S).group(0)
    found = {}
    for name, value in re.findall(r'data-figure="([a-z_0-9]+)">([^<]*)<', table):
        found.setdefault(name, value.strip())
    return found


def test_the_partner_page_shows_the_apis_numbers(engine, world):
    page = browser(engine, "reader@contoso.example").get("/insights")
    assert page.status_code == 200, page.text
    html = page.text
    assert cells(html, "flow-table", f'data-start="{WEEK}"') == {
        "received": "4", "accepted": "2", "declined": "1", "expired": "1", "won": "1", "lost": "0"}
    assert cells(html, "response-table") == {"answered": "3", "median_hours": "3", "p90_hours": "3",
                                             "within_24h": "75%", "within_72h": "75%", "sla_met": "75%"}
    assert cells(html, "breakdown-call_to_action")["acceptance_rate"] == "50%"
    assert 'data-testid="value-table"' in html and "€25,000.00" in html
    assert 'data-testid="informational-table"' in html
    # the same numbers as the service the API answers from
    view = insights(engine, world.reader, InsightQuery(), now=factories.NOW).view
    assert view.totals["received"] == 4 and view.response.within_24h == 0.75
    assert '<svg class="chart" data-testid="flow-chart"' in html
    assert " style=" not in html and "<script>" not in html and "<script " not in html.replace(
        '<script src="/static/app.js" defer></script>', "")
    assert 'href="/insights" aria-current="page"' in html


def test_the_period_lives_in_the_url_and_a_bad_one_falls_back_with_a_message(engine, world):
    reader = browser(engine, "reader@contoso.example")
    day = CREATED.date().isoformat()
    html = reader.get(f"/insights?from={day}&to={day}&interval=month").text
    assert f'name="from" value="{day}"' in html and '<option value="month" selected>' in html
    assert cells(html, "flow-table", f'data-start="{CREATED.date().replace(day=1).isoformat()}"')["received"] == "4"
    empty = reader.get("/insights?from=2025-01-01&to=2025-01-31").text
    assert cells(empty, "flow-table")["received"] == "0"
    wrong = reader.get("/insights?from=2026-02-10&to=2026-01-01")
    assert wrong.status_code == 200 and 'role="alert"' in wrong.text


def test_the_program_page_in_italian_has_the_partner_table_and_the_calibration(engine, world):
    seller = browser(engine, "seller@program.example")
    page = seller.get("/program/insights")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Approfondimenti del programma" in html
    row = re.search(rf'<tr data-partner-id="{world.partner_id}">.*?</tr>', html, re.S).group(0)
    assert 'data-figure="received">4<' in row and 'data-figure="acceptance_rate">50%<' in row
    assert 'data-testid="calibration-table"' in html and 'data-testid="auc"' in html
    one = seller.get(f"/program/insights?partner_id={world.partner_id}").text
    assert "Contoso Consulting" in one and cells(one, "flow-table", f'data-start="{WEEK}"')["received"] == "4"
    assert 'data-testid="partner-table"' not in one


def test_partners_do_not_see_the_program_page_and_staff_have_their_own(engine, world):
    reader = browser(engine, "reader@contoso.example")
    assert reader.get("/program/insights").status_code == 403
    seller = browser(engine, "seller@program.example")
    assert seller.get("/insights").status_code == 403
    assert 'href="/program/insights"' in seller.get("/program/insights").text


def test_a_period_the_service_refuses_falls_back_to_the_default_with_a_message(engine, world):
    reader = browser(engine, "reader@contoso.example")
    for query in ("from=0001-01-01&to=0001-01-02", "from=2020-01-01&to=2026-03-01"):  # far out; too long
        page = reader.get(f"/insights?{query}")
        assert page.status_code == 200 and 'role="alert"' in page.text, query
