"""Personal settings (`/api/v1/me`: language, notification address, how new-lead emails arrive) and the
partner's preferred notification address (`/api/v1/partner/settings`, Referrals admins). Bad input names its
field and changes nothing. A language of null follows the browser on the pages. On both databases."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from referrals.domain.enums import Role
from referrals.store.db import reading
from referrals.store.tables import partners, users
from tests.e2e.conftest import is_problem, user
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: Engine, clock: Clock):
    return pages_app(engine, clock)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def stored(engine: Engine, user_id: str) -> tuple:
    with reading(engine) as conn:
        row = conn.execute(select(users.c.language, users.c.notification_email, users.c.new_lead_emails)
                           .where(users.c.id == user_id)).one()
    return tuple(row)


def test_me_shows_who_i_am_and_my_settings(client, partner_a):
    me = client.get("/api/v1/me", headers=partner_a.reader.headers).json()
    assert me == {"id": partner_a.reader.id, "email": partner_a.reader.principal.email, "name": "",
                  "partner_id": partner_a.id, "roles": ["referrals-user"], "language": None,
                  "notification_email": None, "new_lead_emails": "each"}


def test_i_change_my_settings_and_leave_the_others_as_they_are(engine, client, partner_a):
    headers = partner_a.admin.headers
    changed = client.patch("/api/v1/me", headers=headers, json={
        "language": "it", "notification_email": " Leads@Contoso.example ", "new_lead_emails": "digest"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["language"], changed.json()["notification_email"], changed.json()["new_lead_emails"]) == (
        "it", "Leads@Contoso.example", "digest")
    assert client.patch("/api/v1/me", headers=headers, json={"new_lead_emails": "none"}).status_code == 200
    assert stored(engine, partner_a.admin.id) == ("it", "Leads@Contoso.example", "none")
    cleared = client.patch("/api/v1/me", headers=headers, json={"language": None, "notification_email": None})
    assert (cleared.json()["language"], cleared.json()["notification_email"]) == (None, None)
    assert stored(engine, partner_a.admin.id) == (None, None, "none")
    assert client.get("/api/v1/me", headers=headers).json()["new_lead_emails"] == "none"


@pytest.mark.parametrize(("body", "field"), [
    ({"notification_email": "not an address", "language": "it"}, "notification_email"),
    ({"notification_email": "x" * 321}, "notification_email"),
    ({"notification_email": "a\x01b@contoso.example"}, "notification_email"),
    ({"language": "fr", "new_lead_emails": "digest"}, "language"),
    ({"new_lead_emails": "weekly"}, "new_lead_emails"),
    ({"new_lead_emails": None}, "new_lead_emails"),
    ({"email": "me@elsewhere.example"}, "email"),
])
def test_bad_settings_name_the_field_and_change_nothing(engine, client, partner_a, body, field):
    answer = client.patch("/api/v1/me", headers=partner_a.admin.headers, json=body)
    assert field in is_problem(answer, 422, "validation_error")["fields"]
    assert stored(engine, partner_a.admin.id) == (None, None, "each")


def test_program_staff_keep_settings_too(engine, client):
    seller = user(engine, None, Role.PROGRAM_SELLER)
    answer = client.patch("/api/v1/me", headers=seller.headers, json={"language": "it"})
    assert answer.status_code == 200 and answer.json()["partner_id"] is None


def test_a_language_of_null_follows_the_browser_and_a_set_one_wins(engine, app, client):
    tenant_user = add_person(engine, None, Role.PROGRAM_SELLER, email="sam@program.example")
    browser = Browser(app)
    browser.sign_in("sam@program.example")
    italian_browser = {"Accept-Language": "it-IT,it;q=0.9"}
    assert '<html lang="it">' in browser.get("/settings", headers=italian_browser).text
    assert '<html lang="en">' in browser.get("/settings", headers={"Accept-Language": "en"}).text
    browser.post("/settings/preferences", {"language": "en", "notification_email": "", "new_lead_emails": "each"})
    assert '<html lang="en">' in browser.get("/settings", headers=italian_browser).text
    assert stored(engine, tenant_user)[0] == "en"
    browser.post("/settings/preferences", {"language": "", "notification_email": "", "new_lead_emails": "each"})
    assert '<html lang="it">' in browser.get("/settings", headers=italian_browser).text
    assert stored(engine, tenant_user)[0] is None


def test_a_language_picked_before_signing_in_gives_way_to_the_users_setting(engine, app):
    add_person(engine, None, Role.PROGRAM_SELLER, email="sam@program.example")
    browser = Browser(app)
    browser.get("/signin")
    browser.post("/language", {"language": "it", "next": "/signin"})
    assert '<html lang="it">' in browser.get("/signin", headers={"Accept-Language": "en"}).text
    browser.sign_in("sam@program.example")
    assert '<html lang="en">' in browser.get("/settings", headers={"Accept-Language": "en"}).text


def test_the_settings_page_saves_my_settings_and_names_a_bad_field(engine, app, partner_a):
    add_person(engine, partner_a.id, Role.REFERRALS_ADMIN, email="ada@contoso.example")
    browser = Browser(app)
    browser.sign_in("ada@contoso.example")
    page = browser.get("/settings").text
    assert 'data-testid="preferences-form"' in page and 'value="each" checked' in page
    bad = browser.post("/settings/preferences", {"language": "it", "notification_email": "nope",
                                                  "new_lead_emails": "digest"})
    assert bad.status_code == 422 and "Enter a valid email address" in bad.text
    assert 'id="err-notification_email"' in bad.text
    saved = browser.post("/settings/preferences", {"language": "it", "notification_email": "desk@contoso.example",
                                                    "new_lead_emails": "digest"})
    assert saved.status_code == 303
    page = browser.get("/settings").text
    assert "Impostazioni salvate." in page  # in Italian, now her language
    assert 'value="desk@contoso.example"' in page and 'value="digest" checked' in page


def test_referrals_admins_set_the_partners_notification_address(engine, client, partner_a, partner_b):
    url = "/api/v1/partner/settings"
    assert client.get(url, headers=partner_a.admin.headers).json() == {"notification_email": None}
    set_ = client.patch(url, headers=partner_a.admin.headers, json={"notification_email": "leads@contoso.example"})
    assert set_.json() == {"notification_email": "leads@contoso.example"}
    assert client.get(url, headers=partner_b.admin.headers).json() == {"notification_email": None}
    bad = client.patch(url, headers=partner_a.admin.headers, json={"notification_email": "leads at contoso"})
    assert "notification_email" in is_problem(bad, 422, "validation_error")["fields"]
    is_problem(client.patch(url, headers=partner_a.reader.headers, json={"notification_email": None}), 403,
               "forbidden")
    is_problem(client.get(url, headers=partner_a.reader.headers), 403, "forbidden")
    with reading(engine) as conn:
        assert conn.execute(select(partners.c.notification_email).where(partners.c.id == partner_a.id)
                            ).scalar_one() == "leads@contoso.example"
    assert client.patch(url, headers=partner_a.admin.headers, json={"notification_email": None}).json() == {
        "notification_email": None}
