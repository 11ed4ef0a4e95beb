"""The webhooks page, as plain form posts with their CSRF token: add a webhook (its secret shown once), see a refused
address named, send a test and see it in the delivery log, rotate, delete; in Italian too; another partner's webhook
page is 404, a Referrals user is refused. On both databases."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services.webhook_delivery import deliver
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app
from tests.webhooks import receiver, verifies

SRC = Path(__file__).resolve().parents[2] / "src/referrals"
LOCALE = SRC / "locale"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(engine: Engine):
    a = factories.add_tenant(engine, "Contoso Consulting")
    b = factories.add_tenant(engine, "Northwind Partners")
    add_person(engine, a.partner_id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    add_person(engine, a.partner_id, Role.REFERRALS_USER, email="rui@contoso.example")
    add_person(engine, b.partner_id, Role.REFERRALS_ADMIN, email="bea@northwind.example", language="it")
    return a, b


def browser_for(engine: Engine, clock: Clock, email: str) -> Browser:
    browser = Browser(pages_app(engine, clock, webhook_allow_hosts="127.0.0.1"))
    browser.enter_as(engine, email)
    return browser


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_its_deliveries(engine, clock, world):
    ada = browser_for(engine, clock, "ada@contoso.example")
    assert 'href="/webhooks"' in ada.get("/leads").text
    with receiver() as box:
        made = ada.post("/webhooks", {"url": box.url, "events": ["lead.created", "lead.accepted"],
                                      "description": "Our CRM"})
        assert made.status_code == 201, made.text
        secret = re.search(r'<code class="secret">(whsec_[^<]+)</code>', made.text).group(1)
        webhook_id = re.search(r'data-webhook-id="([^"]+)"', made.text).group(1)
        listed = ada.get("/webhooks").text
        assert box.url in listed and "whsec_" not in listed  # never shown again
        assert ada.post(f"/webhooks/{webhook_id}/test").status_code == 303
        deliver(engine, clock=lambda: clock.now, allow_hosts=["127.0.0.1"])
    assert verifies(box.requests[0], secret)
    page = ada.get(f"/webhooks/{webhook_id}").text
    assert 'data-status="delivered"' in page and "webhook.test" in page and "HTTP 200" in page
    rotated = ada.post(f"/webhooks/{webhook_id}/rotate")
    assert rotated.status_code == 200 and re.search(r'<code class="secret">whsec_', rotated.text)
    assert ada.post(f"/webhooks/{webhook_id}/delete").status_code == 303
    assert box.url not in ada.get("/webhooks").text


def test_a_refused_address_is_named_and_nothing_is_saved(engine, clock, world):
    ada = browser_for(engine, clock, "ada@contoso.example")
    refused = ada.post("/webhooks", {"url": "https://10.1.2.3/hook", "events": ["lead.created"]})
    assert refused.status_code == 422
    assert "10.1.2.3 is a private address" in refused.text
    assert "No webhooks yet." in refused.text


def test_the_page_speaks_italian(engine, clock, world):
    """Shown in Italian to an Italian reader: every word the page's templates and code mark has its Italian in the
    catalogue."""
    bea = browser_for(engine, clock, "bea@northwind.example")
    page = bea.get("/webhooks").text
    assert '<html lang="it">' in page and "Impostazioni" in page
    catalogue = {m.id for m in read_po((LOCALE / "it/LC_MESSAGES/messages.po").open()) if m.string}
    for source in (SRC / "web/templates/webhooks.html", SRC / "web/templates/webhook.html",
                   SRC / "web/pages/webhooks.py"):
        for msgid in re.findall(r'(?:\b_|N_|tr\(request, )\(?"((?:[^"\\]|\\.)*)"', source.read_text()):
            assert msgid in catalogue, msgid
    assert "Ancora nessun webhook." in page


def test_another_partners_webhook_is_404_and_a_user_is_refused(engine, clock, world):
    ada = browser_for(engine, clock, "ada@contoso.example")
    made = ada.post("/webhooks", {"url": "https://hooks.example.com/x", "events": ["*"]})
    webhook_id = re.search(r'data-webhook-id="([^"]+)"', made.text).group(1)
    bea = browser_for(engine, clock, "bea@northwind.example")
    assert bea.get(f"/webhooks/{webhook_id}").status_code == 404
    assert bea.post(f"/webhooks/{webhook_id}/delete").status_code == 404
    rui = browser_for(engine, clock, "rui@contoso.example")
    assert rui.get("/webhooks").status_code == 403
    assert 'href="/webhooks"' not in rui.get("/leads").text


def test_a_form_without_its_csrf_token_changes_nothing(engine, clock, world):
    ada = browser_for(engine, clock, "ada@contoso.example")
    ada.token = "wrong"
    assert ada.post("/webhooks", {"url": "https://hooks.example.com/x", "events": ["*"]}).status_code == 403
    assert "No webhooks yet." in ada.get("/webhooks").text
