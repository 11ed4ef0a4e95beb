"""Team management and personal settings in Chromium, on a desktop (1400×900) and a phone (390×844): an admin
invites a colleague, who joins from the emailed link and signs in; the admin deactivates them and their session
ends. A person changes their language, notification address and new-lead emails, and a bad address is named.
Nothing breaks the Content Security Policy. Screenshots go to test-artifacts/team-*.png and settings-*.png."""

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.services.directory_admin import add_user
from referrals.store.db import make_engine, reading
from referrals.store.migrate import upgrade
from referrals.store.tables import outbox, users
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.browser.test_workspace import chromium_browser, serving, shot
from tests.conftest import chromium_path

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ADMIN = "ada@contoso.example"
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@dataclass
class Site:
    url: str
    engine: Engine


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    chromium_path()
    folder = tempfile.mkdtemp(prefix="referrals-team-")
    url = f"sqlite:///{folder}/team.db"
    engine = make_engine(url)
    upgrade(engine)
    partner = factories.add_partner(engine, "Contoso Consulting")
    add_user(engine, ADMIN, partner_id=partner.id, roles=[Role.REFERRALS_ADMIN, Role.BUSINESS_PROFILE_ADMIN],
             password=PASSWORD, name="Ada Lovelace", language="en", now=factories.NOW)
    for size in VIEWPORTS:
        add_user(engine, f"rui-{size}@contoso.example", partner_id=partner.id, roles=[Role.REFERRALS_USER],
                 password=PASSWORD, name="Rui Costa", now=factories.NOW)
    factories.ingest(engine, factories.CONTACT_ME, partner.id)
    app = create_app(Settings(database_url=url, secret_key="browser-test-secret-0123456789"), engine=engine)
    app.dependency_overrides[get_now] = lambda: factories.NOW
    with serving(app) as base_url:
        yield Site(base_url, engine)
    engine.dispose()


@pytest.fixture(scope="module")
def browser(site: Site):
    with chromium_browser() as chromium:
        yield chromium


def open_page(browser, site: Site, size: str, messages: list[str], locale: str = "en-US"):
    context = browser.new_context(base_url=site.url, viewport=VIEWPORTS[size], locale=locale)
    page = context.new_page()
    page.on("console", lambda message: messages.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return page


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/leads")


def broken_policy(messages: list[str]) -> list[str]:
    return [m for m in messages if "content security policy" in m.lower() or m.startswith("pageerror")]


def invite_link(site: Site, email: str) -> str:
    with reading(site.engine) as conn:
        context = conn.execute(select(outbox.c.context).where(outbox.c.recipient == email)).scalar_one()
    return context["invite_url"].removeprefix("http://127.0.0.1:8000")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_an_admin_invites_a_colleague_who_joins_and_is_then_deactivated(browser, site: Site, size: str):
    messages: list[str] = []
    newcomer = f"nina-{size}@contoso.example"
    admin = open_page(browser, site, size, messages)
    sign_in(admin, ADMIN)
    # the admin opens the team page from the navigation and invites a colleague
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    admin.wait_for_url("**/team")
    invite = admin.get_by_test_id("invite-form")
    invite.get_by_label("Email").fill(newcomer)
    invite.get_by_label("Referrals user").check()
    invite.get_by_label("Language").select_option("it")
    invite.get_by_role("button", name="Send invitation").click()
    admin.wait_for_url("**/team")
    assert admin.get_by_role("status").inner_text() == f"Invitation sent to {newcomer}."
    assert admin.locator(f'[data-testid="invitations"] tr[data-email="{newcomer}"]').is_visible()
    shot(admin, f"team-invited-{size}.png")
    # the colleague opens the emailed link, chooses a password and signs in
    colleague = open_page(browser, site, size, messages)
    colleague.goto(invite_link(site, newcomer))
    assert "Contoso Consulting" in colleague.locator("main").inner_text()
    colleague.get_by_label("Your name").fill("Nina Bassi")
    colleague.locator("#f-password").fill("a fine new password")
    colleague.locator("#f-confirm_password").fill("a fine new password")
    shot(colleague, f"team-join-{size}.png")
    colleague.locator('[data-testid="invite-form"] button[type="submit"]').click()
    colleague.wait_for_url("**/signin")
    colleague.get_by_label("Email").fill(newcomer)
    colleague.get_by_label("Password").fill("a fine new password")
    colleague.locator('form[action="/signin"] button[type="submit"]').click()
    colleague.wait_for_url("**/leads")
    assert colleague.locator("html").get_attribute("lang") == "it"  # the language she was invited with
    # the admin sees her in the team and deactivates her
    admin.goto("/team")
    row = admin.locator(f'[data-testid="members"] tr[data-email="{newcomer}"]')
    assert row.get_attribute("data-active") == "true"
    row.locator("summary", has_text="Deactivate").click()
    shot(admin, f"team-deactivate-confirm-{size}.png")
    row.get_by_role("button", name="Deactivate: Nina Bassi").click()
    admin.wait_for_url("**/team")
    assert "is deactivated and signed out everywhere" in admin.get_by_role("status").inner_text()
    assert admin.locator(f'[data-testid="members"] tr[data-email="{newcomer}"]').get_attribute(
        "data-active") == "false"
    shot(admin, f"team-deactivated-{size}.png")
    # and her session is over at once
    colleague.goto("/leads")
    colleague.wait_for_url("**/signin**")
    with reading(site.engine) as conn:
        assert conn.execute(select(users.c.active).where(users.c.email == newcomer)).scalar_one() is False
    assert broken_policy(messages) == []
    admin.context.close()
    colleague.context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_person_changes_their_language_notification_address_and_new_lead_emails(browser, site: Site, size: str):
    messages: list[str] = []
    email = f"rui-{size}@contoso.example"
    page = open_page(browser, site, size, messages)
    sign_in(page, email)
    page.goto("/settings")
    form = page.get_by_test_id("preferences-form")
    # a bad address is named and nothing is saved
    form.get_by_label("Send my notification emails to").fill("rui at contoso")
    form.get_by_role("button", name="Save settings").click()
    assert page.locator("#err-notification_email").is_visible()
    shot(page, f"settings-error-{size}.png")
    # then a good one, Italian and a daily digest
    form = page.get_by_test_id("preferences-form")
    form.get_by_label("Language").select_option("it")
    form.get_by_label("Send my notification emails to").fill("desk@contoso.example")
    form.get_by_label("A daily digest only").check()
    form.get_by_role("button", name="Save settings").click()
    page.wait_for_url("**/settings")
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.get_by_role("status").is_visible()
    shot(page, f"settings-saved-{size}.png")
    with reading(site.engine) as conn:
        row = conn.execute(select(users.c.language, users.c.notification_email, users.c.new_lead_emails)
                           .where(users.c.email == email)).one()
    assert tuple(row) == ("it", "desk@contoso.example", "digest")
    # and following the browser again brings English back (the browser asks for en-US)
    page.locator("#f-language").select_option("")
    page.locator('[data-testid="preferences-form"] button[type="submit"]').click()
    page.wait_for_url("**/settings")
    assert page.locator("html").get_attribute("lang") == "en"
    assert broken_policy(messages) == []
    page.context.close()
