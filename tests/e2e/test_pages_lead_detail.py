"""The lead page: what it shows, and the forms that accept, decline, edit, add employees and close."""

import re

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import LeadAction, Role
from referrals.services.action_center import mark_read, unread_count
from referrals.services.auth import principal_for_user
from referrals.services.ingest import ingest_many
from referrals.services.reading import get_lead
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.web.i18n import environment
from referrals.web.pages import lead_detail
from referrals.web.pages.lead_actions import PAGE_ACTIONS
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app


@pytest.fixture
def world(engine: Engine):
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    admin_id = add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email="rui@contoso.example")
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=factories.NOW - factories.days(1))
    return tenant, admin_id, lead


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def browser(engine: Engine, world, clock: Clock) -> Browser:
    # these tests move the clock by weeks: the session must outlive them (sessions end after 12 idle hours)
    browser = Browser(pages_app(engine, clock, session_idle_hours=24 * 60, session_max_days=60))
    browser.enter_as(engine, "ada@contoso.example")
    return browser


def accept_form(admin_id: str, **changes) -> dict:
    form = {
        "deal_name": "Fabrikam CRM rollout", "amount": "25.000,50", "currency": "EUR", "team_member_ids": [admin_id],
        "purchase_date": "2026-06-30", "notes": "Pilot first.", "campaign_id": "CAMP-1", "crm_id": "CRM-9",
        "contact-1-first_name": "Marco", "contact-1-last_name": "Bianchi", "contact-1-email": "marco@fabrikam.it",
    }
    form.update(changes)
    return form


def test_the_lead_page_shows_customer_origin_validity_quality_and_the_flame(browser: Browser, world):
    _, _, lead = world
    page = browser.get(f"/leads/{lead.id}").text
    assert "Fabrikam Srl" in page and "giulia.rossi@fabrikam.it" in page
    assert 'data-copy="giulia.rossi@fabrikam.it"' in page and 'data-copy="+39 02 1234 5678"' in page
    assert "Contoso CRM Suite" in page and "Azure Marketplace" in page
    assert "Email valid" in page and "Quality" in page
    assert 'class="banner hot"' in page
    assert "the lead expires in 1" in page  # 13 days left, said in words
    assert 'data-testid="accept-form"' in page and 'data-testid="decline-form"' in page


def test_after_72_hours_the_flame_gives_way_to_the_waiting_message(browser: Browser, world, clock: Clock):
    _, _, lead = world
    clock.now = factories.NOW + factories.days(3)
    page = browser.get(f"/leads/{lead.id}").text
    assert 'class="banner waiting"' in page and 'class="banner hot"' not in page


def test_accept_with_a_missing_field_shows_the_error_keeps_the_input_and_changes_nothing(
        browser: Browser, engine: Engine, world):
    tenant, admin_id, lead = world
    response = browser.post(f"/leads/{lead.id}/accept", accept_form(admin_id, deal_name="", purchase_date="30/06"))
    assert response.status_code == 422
    page = response.text
    assert re.search(r'id="err-deal_name">Enter the deal name.<', page)
    assert re.search(r'id="err-purchase_date">Enter a date, like 2026-06-30.<', page)
    assert 'value="25.000,50"' in page and "Pilot first." in page and 'value="marco@fabrikam.it"' in page
    assert "Nothing was changed" in page
    assert get_lead(engine, tenant.admin, lead.id).lead.status == "received"


def test_accept_then_edit_add_an_employee_and_mark_won(browser: Browser, engine: Engine, world):
    tenant, admin_id, lead = world
    response = browser.post(f"/leads/{lead.id}/accept", accept_form(admin_id))
    assert response.status_code == 303, response.text
    accepted = get_lead(engine, tenant.admin, lead.id).lead
    assert accepted.status == "accepted"
    assert str(accepted.deal.terms.value.amount) == "25000.50"
    assert accepted.deal.terms.customer_contacts[0].email == "marco@fabrikam.it"
    page = browser.get(f"/leads/{lead.id}").text
    assert "Lead accepted." in page and "€" in page

    edited = browser.post(f"/leads/{lead.id}/deal", accept_form(admin_id, deal_name="Bigger rollout", amount="40000"))
    assert edited.status_code == 303
    assert get_lead(engine, tenant.admin, lead.id).lead.deal.terms.name == "Bigger rollout"

    bad = browser.post(f"/leads/{lead.id}/employees", {"name": "Anna", "email": "not-an-email"})
    assert bad.status_code == 422 and 'id="err-email"' in bad.text
    assert browser.post(f"/leads/{lead.id}/employees", {"name": "Anna", "email": "anna@contoso.it"}).status_code == 303

    assert browser.post(f"/leads/{lead.id}/close", {"outcome": "lost"}).status_code == 422  # lost needs a reason
    assert browser.post(f"/leads/{lead.id}/close", {"outcome": "won", "notes": "Signed"}).status_code == 303
    final = get_lead(engine, tenant.admin, lead.id)
    assert (final.lead.status, final.lead.outcome) == ("archived", "won")
    page = browser.get(f"/leads/{lead.id}").text
    assert "Outcome: Won" in page and f'action="/leads/{lead.id}/close"' not in page
    assert [entry["action"] for entry in final.history][-1] == "won"


def test_decline_needs_a_reason_and_notes(browser: Browser, engine: Engine, world):
    tenant, _, lead = world
    missing = browser.post(f"/leads/{lead.id}/decline", {"reason": "", "notes": ""})
    assert missing.status_code == 422
    assert 'id="err-reason"' in missing.text and 'id="err-notes"' in missing.text
    done = browser.post(f"/leads/{lead.id}/decline", {"reason": "budget_not_adequate", "notes": "Too small."})
    assert done.status_code == 303
    assert get_lead(engine, tenant.admin, lead.id).lead.outcome == "declined"
    again = browser.post(f"/leads/{lead.id}/decline", {"reason": "other", "notes": "again"})
    assert again.status_code == 409 and "archived" in again.text


def test_a_referrals_user_sees_the_lead_but_no_action(engine: Engine, world):
    _, _, lead = world
    reader = Browser(pages_app(engine, Clock()))
    reader.enter_as(engine, "rui@contoso.example")
    page = reader.get(f"/leads/{lead.id}").text
    assert "Fabrikam Srl" in page
    assert "accept-form" not in page and "decline-form" not in page and 'data-testid="bell"' not in page
    refused = reader.post(f"/leads/{lead.id}/decline", {"reason": "other", "notes": "x"})
    assert refused.status_code == 403


def test_an_expired_lead_shows_no_contact_details(browser: Browser, engine: Engine, world, clock: Clock):
    _, _, lead = world
    clock.now = factories.NOW + factories.days(20)
    sweep(engine, now=clock.now)
    page = browser.get(f"/leads/{lead.id}").text
    assert "Expired" in page and "Fabrikam Srl" in page
    assert "giulia.rossi@fabrikam.it" not in page and "1234 5678" not in page and "Rossi" not in page
    listing = browser.get("/leads?status=archived").text
    assert "giulia.rossi" not in listing and "Rossi" not in listing


def test_the_action_center_lists_waiting_leads_and_empties_as_they_are_answered(browser: Browser, world):
    _, admin_id, lead = world
    leads_page = browser.get("/leads").text
    assert re.search(r'data-testid="bell"[^>]*>\s*<svg[^<]*<path[^>]*/></svg>\s*<span class="count">1<', leads_page)
    center = browser.get("/actions").text
    assert f'href="/leads/{lead.id}"' in center
    browser.post(f"/leads/{lead.id}/accept", accept_form(admin_id))
    assert f'href="/leads/{lead.id}"' not in browser.get("/actions").text
    assert '<span class="count">' not in browser.get("/actions").text.split("</header>")[0]


def test_the_bell_stops_counting_at_99_plus_while_the_api_counts_them_all(
    browser: Browser, engine: Engine, world
):
    # given 101 leads waiting for the admin (the world's one and a hundred more)
    tenant, admin_id, _ = world
    drafts = [factories.lead_draft(factories.CONTACT_ME, tenant.partner_id, external_id=f"bell-{n}")
              for n in range(100)]
    ingest_many(engine, drafts, now=factories.NOW - factories.days(1))
    # then the page's bell says 99+ (in words for screen readers too)
    page = browser.get("/leads").text
    assert re.search(r'data-testid="bell"[^>]*>\s*<svg[^<]*<path[^>]*/></svg>\s*<span class="count">99\+<', page)
    assert "more than 99 unread leads wait for an answer" in page
    # and the action center's own count is exact
    with reading(engine) as conn:
        principal = principal_for_user(conn, admin_id)
    assert unread_count(engine, principal) == 101
    assert unread_count(engine, principal, up_to=100) == 100


def test_the_bell_and_the_action_center_count_the_same_leads_in_the_same_words(
    browser: Browser, engine: Engine, world
):
    # given three leads waiting for an answer, one of which the admin has opened
    tenant, admin_id, opened = world
    for n in range(2):
        factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, external_id=f"wait-{n}")
    with reading(engine) as conn:
        principal = principal_for_user(conn, admin_id)
    mark_read(engine, principal, [opened.id], now=factories.NOW)
    # then the bell shows 2 and says what it counts: unread leads that wait for an answer
    page = browser.get("/leads").text
    assert re.search(r'data-testid="bell"[^>]*>\s*<svg[^<]*<path[^>]*/></svg>\s*<span class="count">2<', page)
    assert "Action center: 2 unread leads wait for an answer" in page
    # and the action center says how many wait (3) and how many of them are unread (the bell's 2)
    center = browser.get("/actions").text
    assert re.search(r'data-testid="action-tally">3 leads wait for an answer: 2 unread\.', center)


# -- the forms are the domain's allowed actions --------------------------------------------------------------


def forms_shown(page: str, lead_id: str) -> set[LeadAction]:
    """The lead action forms on a page, by the path each posts to."""
    by_path = {row.path: action for action, row in PAGE_ACTIONS.items()}
    posted = re.findall(rf'<form method="post" action="/leads/{lead_id}/(\w+)"', page)
    return {by_path[path] for path in posted if path in by_path}


def allowed(engine: Engine, user_id: str, lead_id: str, now) -> set[LeadAction]:
    with reading(engine) as conn:
        principal = principal_for_user(conn, user_id)
    return set(get_lead(engine, principal, lead_id).lead.allowed_actions(now, principal))


def test_every_lead_action_has_a_page_route_and_a_form():
    # given the domain's actions, then each has one row of the page's table, a form template and a POST route
    assert set(PAGE_ACTIONS) == set(LeadAction)
    templates = environment("en").list_templates()
    paths = {route.path for route in lead_detail.router.routes if "POST" in getattr(route, "methods", ())}
    for row in PAGE_ACTIONS.values():
        assert row.template in templates
        assert f"/leads/{{lead_id}}/{row.path}" in paths


def test_a_received_lead_shows_exactly_the_accept_decline_and_owner_forms(browser: Browser, engine: Engine, world,
                                                                         clock):
    _, admin_id, lead = world
    page = browser.get(f"/leads/{lead.id}").text
    assert forms_shown(page, lead.id) == {LeadAction.ACCEPT, LeadAction.DECLINE, LeadAction.ASSIGN}
    assert forms_shown(page, lead.id) == allowed(engine, admin_id, lead.id, clock.now)


def test_an_accepted_lead_shows_the_deal_forms_and_an_archived_one_none(browser: Browser, engine: Engine, world,
                                                                       clock):
    _, admin_id, lead = world
    assert browser.post(f"/leads/{lead.id}/accept", accept_form(admin_id)).status_code == 303
    page = browser.get(f"/leads/{lead.id}").text
    assert forms_shown(page, lead.id) == {LeadAction.EDIT_DEAL, LeadAction.ADD_EMPLOYEE, LeadAction.CLOSE,
                                          LeadAction.ASSIGN}
    assert forms_shown(page, lead.id) == allowed(engine, admin_id, lead.id, clock.now)
    assert browser.post(f"/leads/{lead.id}/close", {"outcome": "won"}).status_code == 303
    page = browser.get(f"/leads/{lead.id}").text
    assert forms_shown(page, lead.id) == set() == allowed(engine, admin_id, lead.id, clock.now)


def test_a_lead_past_its_deadline_shows_no_forms_before_the_sweep_archives_it(browser: Browser, engine: Engine,
                                                                               world, clock):
    _, admin_id, lead = world
    clock.now = factories.NOW + factories.days(20)  # not swept yet: still received, but no longer answerable
    page = browser.get(f"/leads/{lead.id}").text
    assert forms_shown(page, lead.id) == set() == allowed(engine, admin_id, lead.id, clock.now)


def test_an_informational_lead_and_a_referrals_user_get_no_forms(browser: Browser, engine: Engine, world, clock):
    tenant, admin_id, lead = world
    trial = factories.ingest(engine, factories.FREE_TRIAL, tenant.partner_id, now=factories.NOW - factories.days(1))
    page = browser.get(f"/leads/{trial.id}").text
    assert "Informational lead" in page
    assert forms_shown(page, trial.id) == set() == allowed(engine, admin_id, trial.id, clock.now)
    reader = Browser(pages_app(engine, clock))
    reader.enter_as(engine, "rui@contoso.example")
    assert forms_shown(reader.get(f"/leads/{lead.id}").text, lead.id) == set()


def test_every_action_form_is_refused_without_its_csrf_token(browser: Browser, engine: Engine, world):
    tenant, admin_id, lead = world
    for row in PAGE_ACTIONS.values():
        forged = browser.client.post(f"/leads/{lead.id}/{row.path}",
                                     data={**accept_form(admin_id), "csrf_token": "forged"})
        assert forged.status_code == 403 and "The form expired" in forged.text
    assert get_lead(engine, tenant.admin, lead.id).lead.version == lead.version


def test_the_purchase_date_input_starts_at_today_and_keeps_a_date_that_has_passed(
        browser: Browser, engine: Engine, world, clock: Clock):
    _, admin_id, lead = world
    page = browser.get(f"/leads/{lead.id}").text
    assert re.search(r'name="purchase_date" type="date" value="" min="2026-03-02"', page)  # the partner's today
    accepted = browser.post(f"/leads/{lead.id}/accept", accept_form(admin_id, purchase_date="2026-03-05"))
    assert accepted.status_code == 303
    clock.now = factories.NOW + factories.days(8)  # the estimated purchase date has passed
    page = browser.get(f"/leads/{lead.id}").text
    # the deal form may still be sent with the date it has (other edits stay allowed), so its minimum is that date
    assert re.search(r'name="purchase_date" type="date" value="2026-03-05" min="2026-03-05"', page)
    edited = browser.post(f"/leads/{lead.id}/deal",
                          accept_form(admin_id, deal_name="Renamed", purchase_date="2026-03-05"))
    assert edited.status_code == 303
