"""The import page: a program seller checks a CSV of leads (the dry run's errors in a table, nothing created), then
imports it; a Referrals admin sees only the outcomes form; the CSRF token is required; Italian too."""

import re

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from tests import factories
from tests.e2e.conftest import lead_count
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app
from tests.e2e.test_api_imports import csv_text, lead


@pytest.fixture
def browser(engine: Engine) -> Browser:
    return Browser(pages_app(engine, Clock()))


def upload(browser: Browser, kind: str, body: bytes, action: str, token: str | None = None, **fields: str):
    return browser.client.post(f"/import/{kind}", data={"csrf_token": browser.token if token is None else token,
                                                        "action": action, **fields},
                               files={"file": ("leads.csv", body, "text/csv")})


def test_a_seller_checks_a_file_sees_each_error_then_imports_it(engine, browser):
    tenant = factories.add_tenant(engine)
    add_person(engine, None, Role.PROGRAM_SELLER, email="seller@program.example")
    browser.enter_as(engine, "seller@program.example")
    page = browser.get("/import")
    assert page.status_code == 200 and 'data-testid="import-leads"' in page.text
    assert 'data-testid="import-history"' not in page.text and 'data-testid="import-outcomes"' not in page.text
    body = csv_text([lead(tenant.partner_id, "p-1"), lead(tenant.partner_id, "p-2", call_to_action="nope"),
                     lead("ghost", "p-3")])

    checked = upload(browser, "leads", body, "check")
    assert checked.status_code == 200, checked.text
    rows = re.findall(r"<tr><td class=\"num\"[^>]*>(\d+)</td><td[^>]*>([A-Za-z]+)</td>", checked.text)
    assert rows == [("2", "CallToAction"), ("3", "PartnerId")]
    assert "1 lead would be created" in checked.text
    assert lead_count(engine) == 0

    imported = upload(browser, "leads", body, "import")
    assert "1 lead created" in imported.text and lead_count(engine) == 1


def test_the_upload_needs_the_forms_csrf_token(engine, browser):
    tenant = factories.add_tenant(engine)
    add_person(engine, None, Role.PROGRAM_ADMIN, email="admin@program.example")
    browser.enter_as(engine, "admin@program.example")
    answer = upload(browser, "leads", csv_text([lead(tenant.partner_id, "p-1")]), "import", token="forged")
    assert answer.status_code == 403 and lead_count(engine) == 0


def test_a_referrals_admin_gets_the_outcomes_form_only_in_italian_too(engine, browser):
    tenant = factories.add_tenant(engine)
    add_person(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email="boss@partner.example", language="it")
    browser.enter_as(engine, "boss@partner.example")
    page = browser.get("/import")
    assert 'data-testid="import-outcomes"' in page.text and 'data-testid="import-leads"' not in page.text
    assert upload(browser, "leads", csv_text([lead(tenant.partner_id, "p-1")]), "import").status_code == 403
    assert lead_count(engine) == 0


def test_a_program_admin_imports_history_on_the_page_and_nobody_is_told(engine, browser):
    from referrals.store.tables import outbox
    from tests.integration.test_history_import import as_csv, count, history_row

    tenant = factories.add_tenant(engine)
    add_person(engine, None, Role.PROGRAM_ADMIN, email="admin@program.example")
    browser.enter_as(engine, "admin@program.example")
    assert 'data-testid="import-history"' in browser.get("/import").text
    body = as_csv([history_row(tenant.partner_id, i) for i in range(6)]).getvalue().encode()
    checked = upload(browser, "history", body, "check")
    assert "6 leads would be created" in checked.text and lead_count(engine) == 0
    imported = upload(browser, "history", body, "import")
    assert "6 leads created" in imported.text and lead_count(engine) == 6
    assert count(engine, outbox) == 0
