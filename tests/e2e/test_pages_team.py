"""The /team page for a partner's admins (members, invitations, role changes, deactivation, the partner's
notification address) and the invitation's /invite page, on the same services as the API; CSRF on every form.
On both databases."""

import re

import pytest
from sqlalchemy import Engine, select

from referrals.domain.enums import Role
from referrals.store.db import reading
from referrals.store.tables import outbox, users
from tests import factories
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ADA = "ada@contoso.example"  # Referrals admin
RUI = "rui@contoso.example"  # Referrals user
BEA = "bea@contoso.example"  # business profile admin and Referrals user
OMAR = "omar@northwind.example"  # another partner's admin


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: Engine, clock: Clock):
    contoso = factories.add_partner(engine, "Contoso Consulting")
    northwind = factories.add_partner(engine, "Northwind Partners")
    add_person(engine, contoso.id, Role.REFERRALS_ADMIN, email=ADA)
    add_person(engine, contoso.id, Role.REFERRALS_USER, email=RUI)
    add_person(engine, contoso.id, Role.BUSINESS_PROFILE_ADMIN, Role.REFERRALS_USER, email=BEA)
    add_person(engine, northwind.id, Role.REFERRALS_ADMIN, email=OMAR)
    return pages_app(engine, clock)


def signed_in(app, email: str) -> Browser:
    browser = Browser(app)
    browser.sign_in(email)
    return browser


def user_id(engine: Engine, email: str) -> str:
    with reading(engine) as conn:
        return conn.execute(select(users.c.id).where(users.c.email == email)).scalar_one()


def roles_of(engine: Engine, email: str) -> str:
    with reading(engine) as conn:
        return conn.execute(select(users.c.roles).where(users.c.email == email)).scalar_one()


def active(engine: Engine, email: str) -> bool:
    with reading(engine) as conn:
        return conn.execute(select(users.c.active).where(users.c.email == email)).scalar_one()


def test_admins_see_the_team_link_and_page_others_do_not(app):
    admin = signed_in(app, ADA)
    page = admin.get("/team")
    assert page.status_code == 200 and 'href="/team"' in page.text
    assert all(email in page.text for email in (ADA, RUI, BEA)) and OMAR not in page.text
    assert 'data-testid="partner-settings"' in page.text
    profile_admin = signed_in(app, BEA).get("/team")
    assert profile_admin.status_code == 200 and 'data-testid="partner-settings"' not in profile_admin.text
    reader = signed_in(app, RUI)
    assert 'href="/team"' not in reader.get("/leads").text
    assert reader.get("/team").status_code == 403


def test_every_form_on_the_team_page_carries_the_csrf_token_and_a_post_without_it_is_refused(engine, app):
    admin = signed_in(app, ADA)
    admin.post("/team/invite", {"email": "nina@contoso.example", "roles": "referrals-user"})
    html = admin.get("/team").text
    forms = re.findall(r"<form [^>]*method=\"post\".*?</form>", html, flags=re.S)
    assert len(forms) >= 8
    assert all('name="csrf_token"' in form for form in forms)
    refused = admin.client.post(f"/team/users/{user_id(engine, RUI)}/deactivate", data={"csrf_token": "forged"})
    assert refused.status_code == 403 and active(engine, RUI)


def test_an_admin_invites_from_the_page_and_a_bad_address_is_named(engine, app):
    admin = signed_in(app, ADA)
    bad = admin.post("/team/invite", {"email": "nope", "roles": "referrals-user"})
    assert bad.status_code == 422 and 'id="err-email"' in bad.text and 'value="nope"' in bad.text
    assert "Enter a valid email address, like name@example.com." in bad.text  # a sentence, not "is not valid"
    none = admin.post("/team/invite", {"email": "nina@contoso.example"})
    assert none.status_code == 422 and 'id="err-roles"' in none.text and "Choose at least one role." in none.text
    again = admin.post("/team/invite", {"email": RUI, "roles": "referrals-user"})
    assert again.status_code == 422 and "This person is already in your team." in again.text
    sent = admin.post("/team/invite", {"email": "Nina@contoso.example", "roles": ["referrals-user"],
                                       "language": "it"})
    assert sent.status_code == 303
    page = admin.get("/team").text
    assert "Invitation sent to nina@contoso.example." in page
    assert re.search(r'data-invitation-id="[^"]+" data-email="nina@contoso.example" data-state="open"', page)
    with reading(engine) as conn:
        assert conn.execute(select(outbox.c.template, outbox.c.language)).all() == [("invitation", "it")]


def test_open_invitations_are_sent_again_and_revoked_from_the_page(engine, app):
    admin = signed_in(app, ADA)
    admin.post("/team/invite", {"email": "nina@contoso.example", "roles": "referrals-user"})
    invitation_id = re.search(r'data-invitation-id="([^"]+)"', admin.get("/team").text).group(1)
    assert admin.post(f"/team/invitations/{invitation_id}/resend").status_code == 303
    assert "Invitation sent again to nina@contoso.example" in admin.get("/team").text
    other = signed_in(app, OMAR)
    assert other.post(f"/team/invitations/{invitation_id}/revoke").status_code == 404
    assert admin.post(f"/team/invitations/{invitation_id}/revoke").status_code == 303
    page = admin.get("/team").text
    assert "Invitation revoked" in page and 'data-testid="no-invitations"' in page
    with reading(engine) as conn:
        assert conn.execute(select(outbox.c.template)).scalars().all() == ["invitation", "invitation"]


def test_a_role_change_keeps_the_roles_the_admin_does_not_manage(engine, app):
    admin = signed_in(app, ADA)
    html = admin.get("/team").text
    assert 'type="hidden" name="roles" value="business-profile-admin"' in html
    # Ada (Referrals admin) makes Bea a Referrals admin; the page sends Bea's business-profile role back as it is
    answer = admin.post(f"/team/users/{user_id(engine, BEA)}/roles",
                        {"roles": ["referrals-admin", "business-profile-admin"]})
    assert answer.status_code == 303
    assert roles_of(engine, BEA) == "business-profile-admin referrals-admin"
    assert f"Roles of {BEA} saved." in admin.get("/team").text


def test_the_last_admin_is_kept_and_told_why(engine, app):
    admin = signed_in(app, ADA)
    demoted = admin.post(f"/team/users/{user_id(engine, ADA)}/roles", {"roles": "referrals-user"})
    assert demoted.status_code == 409 and "last active Referrals admin" in demoted.text
    deactivated = admin.post(f"/team/users/{user_id(engine, ADA)}/deactivate")
    assert deactivated.status_code == 409 and 'data-testid="team-problem"' in deactivated.text
    assert roles_of(engine, ADA) == "referrals-admin" and active(engine, ADA)


def test_deactivating_from_the_page_signs_the_person_out_and_reactivating_lets_them_back(engine, app):
    reader = signed_in(app, RUI)
    admin = signed_in(app, ADA)
    assert admin.post(f"/team/users/{user_id(engine, RUI)}/deactivate").status_code == 303
    page = admin.get("/team").text
    assert f"{RUI} is deactivated and signed out everywhere." in page
    assert re.search(rf'data-email="{re.escape(RUI)}" data-active="false"', page)
    assert reader.get("/leads").status_code == 303
    refused = Browser(app)
    refused.get("/signin")
    assert refused.post("/signin", {"email": RUI, "password": "correct horse battery"}).status_code == 401
    assert signed_in(app, OMAR).post(f"/team/users/{user_id(engine, RUI)}/reactivate").status_code == 404
    assert admin.post(f"/team/users/{user_id(engine, RUI)}/reactivate").status_code == 303
    signed_in(app, RUI)


def test_the_partner_address_is_set_on_the_team_page(engine, app):
    admin = signed_in(app, ADA)
    bad = admin.post("/team/settings", {"notification_email": "leads at contoso"})
    assert bad.status_code == 422 and 'id="err-notification_email"' in bad.text
    assert admin.post("/team/settings", {"notification_email": "leads@contoso.example"}).status_code == 303
    assert 'value="leads@contoso.example"' in admin.get("/team").text
    assert signed_in(app, BEA).post("/team/settings", {"notification_email": ""}).status_code == 403


def test_the_invitation_page_checks_the_passwords_and_refuses_a_made_up_link(engine, app, clock):
    admin = signed_in(app, ADA)
    admin.post("/team/invite", {"email": "nina@contoso.example", "roles": "referrals-user"})
    with reading(engine) as conn:
        context = conn.execute(select(outbox.c.context)).scalar_one()
    path = context["invite_url"].removeprefix("http://127.0.0.1:8000")
    browser = Browser(app)
    assert "nina@contoso.example" in browser.get(path).text
    differ = browser.post(path, {"name": "Nina", "password": "a fine password", "confirm_password": "another one"})
    assert differ.status_code == 422 and 'id="err-confirm_password"' in differ.text
    short = browser.post(path, {"name": "Nina", "password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "Use at least 8 characters." in short.text
    assert Browser(app).get("/invite/made-up").status_code == 410
    assert browser.post(path, {"name": "Nina", "password": "a fine password",
                               "confirm_password": "a fine password"}).status_code == 303
    signed_in_nina = Browser(app)
    signed_in_nina.sign_in("nina@contoso.example", "a fine password")
