"""Team management through the API: the partner's users with roles, active and last sign-in; invitations (sent
through the outbox to a real SMTP server, accepted on the one-time page); role changes, deactivation and
reactivation, with the last active Referrals admin kept, and another partner's admin answered 404. On both
databases."""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from referrals.adapters.smtp import SmtpMailer
from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.services.outbox import drain
from referrals.store import digests
from referrals.store.db import reading, writing
from referrals.store.outbox import enqueue, message
from referrals.store.tables import digest_items, invitations, outbox, users
from tests import factories
from tests.e2e.conftest import Partner, is_problem, user
from tests.e2e.pages_support import Browser, Clock, add_person, pages_app
from tests.smtp import SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NEW_PASSWORD = "a fine new password"
_LINK = re.compile(r"http://127\.0\.0\.1:8000(/invite/[A-Za-z0-9_-]+)")


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


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailer(smtp: SmtpServer) -> SmtpMailer:
    return SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="Referrals <r@example.com>"))


def emailed(engine: Engine, mailer: SmtpMailer, smtp: SmtpServer, clock: Clock, address: str):
    drain(engine, mailer, now=clock.now)
    [message] = smtp.recorder.to(address)
    return message


def link_in(message) -> str:
    found = _LINK.search(message.get_body(("plain",)).get_content())
    assert found, message.get_body(("plain",)).get_content()
    assert found.group(0) in message.get_body(("html",)).get_content()
    return found.group(1)


def invite(client: TestClient, partner: Partner, email: str, roles=("referrals-user",), **extra):
    return client.post("/api/v1/partner/users", headers=partner.admin.headers,
                       json={"email": email, "roles": list(roles), **extra})


def counts(engine: Engine) -> tuple[int, int]:
    with reading(engine) as conn:
        return (conn.execute(select(func.count()).select_from(users)).scalar_one(),
                conn.execute(select(func.count()).select_from(invitations)).scalar_one())


def by_email(members: list[dict]) -> dict[str, dict]:
    return {m["email"]: m for m in members}


# -- the list ----------------------------------------------------------------------------------------------------


def test_the_team_list_shows_roles_whether_active_and_the_last_sign_in(engine, app, client, clock, partner_a):
    # given a colleague who signed in on the pages, and one deactivated
    add_person(engine, partner_a.id, Role.REFERRALS_ADMIN, Role.BUSINESS_PROFILE_ADMIN, email="ada@contoso.example")
    Browser(app).sign_in("ada@contoso.example")
    client.post(f"/api/v1/partner/users/{partner_a.reader.id}/deactivate", headers=partner_a.admin.headers)
    # when a member of the partner lists its users
    members = by_email(client.get("/api/v1/partner/users", headers=partner_a.admin.headers).json())
    # then each shows its roles, whether active and when it last signed in
    ada = members["ada@contoso.example"]
    assert ada["roles"] == ["referrals-admin", "business-profile-admin"]
    assert ada["active"] is True and ada["last_signin_at"] == "2026-03-02T09:30:00Z"
    reader = members[partner_a.reader.principal.email]
    assert reader["active"] is False and reader["last_signin_at"] is None
    assert list(members)[-1] == partner_a.reader.principal.email  # deactivated people last


# -- invitations -------------------------------------------------------------------------------------------------


def test_an_invited_colleague_sets_a_password_signs_in_and_sees_only_their_partner(
        engine, app, client, clock, partner_a, partner_b, smtp, mailer):
    # given leads for both partners, and an invitation from partner A's admin
    own = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    other = factories.ingest(engine, factories.CONTACT_ME, partner_b.id)
    answer = invite(client, partner_a, "Nina@Contoso.example", ["referrals-user"], language="it")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["email"] == "nina@contoso.example" and body["roles"] == ["referrals-user"]
    assert body["state"] == "open" and body["expires_at"] == "2026-03-09T09:30:00Z"
    # when she opens the emailed link (in Italian, her language) and chooses a password
    message = emailed(engine, mailer, smtp, clock, "nina@contoso.example")
    assert "Contoso Consulting" in message["Subject"] and "ti invita" in message["Subject"]
    path = link_in(message)
    browser = Browser(app)
    assert "Contoso Consulting" in browser.get(path).text
    joined = browser.post(path, {"name": "Nina Bassi", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert joined.status_code == 303 and joined.headers["location"] == "/signin"
    # then she signs in with it, with the roles she was invited with, and sees only her partner's leads
    browser.sign_in("nina@contoso.example", NEW_PASSWORD)
    me = browser.client.get("/api/v1/me").json()
    assert (me["partner_id"], me["roles"], me["language"], me["name"]) == (
        partner_a.id, ["referrals-user"], "it", "Nina Bassi")
    listed = browser.client.get("/api/v1/leads").json()
    assert [lead["id"] for lead in listed["items"]] == [own.id]
    assert browser.client.get(f"/api/v1/leads/{other.id}").status_code == 404
    assert browser.get(f"/leads/{other.id}").status_code == 404
    # and the link works once, and the invitation is no longer open
    assert Browser(app).get(path).status_code == 410
    assert client.get("/api/v1/partner/invitations", headers=partner_a.admin.headers).json() == []


def test_the_invitation_email_is_in_the_inviters_language_when_none_is_given(
        engine, client, clock, partner_a, smtp, mailer):
    client.patch("/api/v1/me", headers=partner_a.admin.headers, json={"language": "it"})
    assert invite(client, partner_a, "rui@contoso.example").status_code == 201
    assert invite(client, partner_a, "eve@contoso.example", language="en").status_code == 201
    assert "ti invita" in emailed(engine, mailer, smtp, clock, "rui@contoso.example")["Subject"]
    assert "invites you" in smtp.recorder.to("eve@contoso.example")[0]["Subject"]


def test_inviting_an_address_with_an_account_answers_the_same_creates_nothing_and_tells_that_address(
        engine, client, clock, partner_a, partner_b, smtp, mailer):
    # given an address that belongs to partner B
    taken = partner_b.reader.principal.email
    before = counts(engine)
    # when partner A's admin invites it, and a new address
    existing = invite(client, partner_a, taken)
    fresh = invite(client, partner_a, "new@contoso.example")
    # then both answers have the same status and shape
    assert existing.status_code == fresh.status_code == 201
    assert set(existing.json()) == set(fresh.json())
    assert {k: v for k, v in existing.json().items() if k not in ("id", "email")} == {
        k: v for k, v in fresh.json().items() if k not in ("id", "email")}
    # and nothing was created for the taken address (one invitation: the new one)
    assert counts(engine) == (before[0], before[1] + 1)
    # and its owner is told it already belongs to another workspace, with no link to join
    message = emailed(engine, mailer, smtp, clock, taken)
    text = message.get_body(("plain",)).get_content()
    assert "already belongs to an account in another workspace" in text and "/invite/" not in text
    # and partner B's account is as it was
    assert client.get("/api/v1/me", headers=partner_b.reader.headers).json()["partner_id"] == partner_b.id


def test_inviting_someone_already_in_the_team_names_the_field(client, partner_a):
    answer = invite(client, partner_a, partner_a.reader.principal.email)
    assert is_problem(answer, 422, "validation_error")["fields"] == {"email": "is already in your team"}


def test_bad_invitations_name_the_field_and_change_nothing(engine, client, partner_a):
    before = counts(engine)
    cases = [
        ({"email": "not-an-email", "roles": ["referrals-user"]}, "email"),
        ({"email": "a@contoso.example", "roles": []}, "roles"),
        ({"email": "a@contoso.example", "roles": ["program-admin"]}, "roles[0]"),
        ({"email": "a@contoso.example", "roles": ["referrals-user"], "language": "fr"}, "language"),
        ({"email": "a@contoso.example"}, "roles"),
        ({"email": "a\x00@contoso.example", "roles": ["referrals-user"]}, "email"),
    ]
    for body, field in cases:
        answer = client.post("/api/v1/partner/users", headers=partner_a.admin.headers, json=body)
        assert field in is_problem(answer, 422, "validation_error")["fields"], (body, answer.json())
    assert counts(engine) == before


def test_roles_outside_the_inviters_care_and_non_admins_are_refused(engine, client, partner_a):
    is_problem(invite(client, partner_a, "x@contoso.example", ["business-profile-admin"]), 403, "forbidden")
    as_reader = client.post("/api/v1/partner/users", headers=partner_a.reader.headers,
                            json={"email": "x@contoso.example", "roles": ["referrals-user"]})
    is_problem(as_reader, 403, "forbidden")
    profile_admin = user(engine, partner_a.id, Role.BUSINESS_PROFILE_ADMIN)
    ok = client.post("/api/v1/partner/users", headers=profile_admin.headers,
                     json={"email": "x@contoso.example", "roles": ["business-profile-admin"]})
    assert ok.status_code == 201
    refused = client.post("/api/v1/partner/users", headers=profile_admin.headers,
                          json={"email": "y@contoso.example", "roles": ["referrals-user"]})
    is_problem(refused, 403, "forbidden")


def test_resending_sends_a_new_link_and_the_old_one_stops_working(engine, app, client, clock, partner_a, smtp,
                                                                   mailer):
    invitation = invite(client, partner_a, "nina@contoso.example").json()
    first = link_in(emailed(engine, mailer, smtp, clock, "nina@contoso.example"))
    smtp.recorder.messages.clear()
    clock.now += timedelta(days=8)  # the first link has expired by now
    assert Browser(app).get(first).status_code == 410
    listed = client.get("/api/v1/partner/invitations", headers=partner_a.admin.headers).json()
    assert [(i["id"], i["state"]) for i in listed] == [(invitation["id"], "expired")]
    again = client.post(f"/api/v1/partner/invitations/{invitation['id']}/resend", headers=partner_a.admin.headers)
    assert again.status_code == 200 and again.json()["state"] == "open"
    assert again.json()["expires_at"] == "2026-03-17T09:30:00Z"
    second = link_in(emailed(engine, mailer, smtp, clock, "nina@contoso.example"))
    assert second != first
    assert Browser(app).get(first).status_code == 410
    assert Browser(app).get(second).status_code == 200


def test_a_revoked_invitation_link_stops_working(engine, app, client, clock, partner_a, partner_b, smtp, mailer):
    invitation = invite(client, partner_a, "nina@contoso.example").json()
    path = link_in(emailed(engine, mailer, smtp, clock, "nina@contoso.example"))
    url = f"/api/v1/partner/invitations/{invitation['id']}"
    is_problem(client.delete(url, headers=partner_b.admin.headers), 404, "not_found")
    is_problem(client.delete(url, headers=partner_a.reader.headers), 403, "forbidden")
    assert client.delete(url, headers=partner_a.admin.headers).status_code == 204
    assert Browser(app).get(path).status_code == 410
    is_problem(client.delete(url, headers=partner_a.admin.headers), 404, "not_found")
    is_problem(client.post(f"{url}/resend", headers=partner_a.admin.headers), 404, "not_found")
    assert client.get("/api/v1/partner/invitations", headers=partner_a.admin.headers).json() == []


def test_inviting_the_same_address_again_replaces_the_open_invitation(engine, client, partner_a):
    first = invite(client, partner_a, "nina@contoso.example", ["referrals-user"]).json()
    second = invite(client, partner_a, "nina@contoso.example", ["referrals-admin"]).json()
    listed = client.get("/api/v1/partner/invitations", headers=partner_a.admin.headers).json()
    assert [(i["id"], i["roles"]) for i in listed] == [(second["id"], ["referrals-admin"])]
    assert first["id"] != second["id"]


# -- roles, deactivation, reactivation ---------------------------------------------------------------------------


def test_an_admin_changes_roles_within_what_they_manage(engine, client, partner_a):
    url = f"/api/v1/partner/users/{partner_a.reader.id}"
    changed = client.patch(url, headers=partner_a.admin.headers, json={"roles": ["referrals-admin"]})
    assert changed.status_code == 200 and changed.json()["roles"] == ["referrals-admin"]
    is_problem(client.patch(url, headers=partner_a.admin.headers,
                            json={"roles": ["referrals-admin", "business-profile-admin"]}), 403, "forbidden")
    assert list(is_problem(client.patch(url, headers=partner_a.admin.headers, json={"roles": []}), 422,
                           "validation_error")["fields"]) == ["roles"]
    member = by_email(client.get("/api/v1/partner/users", headers=partner_a.admin.headers).json())
    assert member[partner_a.reader.principal.email]["roles"] == ["referrals-admin"]


def test_the_last_referrals_admin_cannot_lose_the_role_or_be_deactivated(engine, client, partner_a, partner_b):
    admin = partner_a.admin
    # when partner A's only admin is demoted or deactivated
    demoted = client.patch(f"/api/v1/partner/users/{admin.id}", headers=admin.headers,
                           json={"roles": ["referrals-user"]})
    deactivated = client.post(f"/api/v1/partner/users/{admin.id}/deactivate", headers=admin.headers)
    # then both answer 409 last_admin and nothing changes
    is_problem(demoted, 409, "last_admin")
    is_problem(deactivated, 409, "last_admin")
    me = client.get("/api/v1/me", headers=admin.headers).json()
    assert me["roles"] == ["referrals-admin"]
    # and another partner's admin gets 404 for the same calls
    is_problem(client.patch(f"/api/v1/partner/users/{admin.id}", headers=partner_b.admin.headers,
                            json={"roles": ["referrals-user"]}), 404, "not_found")
    for action in ("deactivate", "reactivate"):
        is_problem(client.post(f"/api/v1/partner/users/{admin.id}/{action}", headers=partner_b.admin.headers),
                   404, "not_found")
    # and with a second admin, the first may go
    client.patch(f"/api/v1/partner/users/{partner_a.reader.id}", headers=admin.headers,
                 json={"roles": ["referrals-admin"]})
    assert client.post(f"/api/v1/partner/users/{admin.id}/deactivate", headers=partner_a.reader.headers
                       ).json()["active"] is False


def test_a_deactivated_members_token_and_session_stop_at_once_and_reactivation_lets_them_back(
        engine, app, client, partner_a):
    # given a member signed in on a browser and holding an API token
    member = user(engine, partner_a.id, Role.REFERRALS_USER)
    browser = Browser(app)
    browser.enter_as(engine, member.principal.email)
    assert browser.client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/leads", headers=member.headers).status_code == 200
    # when an admin deactivates them
    answer = client.post(f"/api/v1/partner/users/{member.id}/deactivate", headers=partner_a.admin.headers)
    assert answer.status_code == 200 and answer.json()["active"] is False
    # then their token gets 401 at once, and their session is over
    is_problem(client.get("/api/v1/leads", headers=member.headers), 401, "unauthenticated")
    assert browser.client.get("/api/v1/me").status_code == 401
    assert browser.get("/leads").status_code == 303
    with reading(engine) as conn:
        assert conn.execute(select(users.c.active).where(users.c.id == member.id)).scalar_one() is False
    # and they are still listed (their history stays), and reactivation lets them back
    assert client.post(f"/api/v1/partner/users/{member.id}/reactivate", headers=partner_a.admin.headers
                       ).json()["active"] is True
    assert client.get("/api/v1/leads", headers=member.headers).status_code == 200


def test_business_profile_admins_deactivate_only_people_with_their_role_alone(engine, client, partner_a):
    profile_admin = user(engine, partner_a.id, Role.BUSINESS_PROFILE_ADMIN)
    editor = user(engine, partner_a.id, Role.BUSINESS_PROFILE_ADMIN)
    is_problem(client.post(f"/api/v1/partner/users/{partner_a.reader.id}/deactivate",
                           headers=profile_admin.headers), 403, "forbidden")
    assert client.post(f"/api/v1/partner/users/{editor.id}/deactivate", headers=profile_admin.headers
                       ).json()["active"] is False


def test_program_staff_and_readers_manage_no_team(engine, client, partner_a):
    seller = user(engine, None, Role.PROGRAM_SELLER)
    for who in (seller, partner_a.reader):
        is_problem(client.post(f"/api/v1/partner/users/{partner_a.admin.id}/deactivate", headers=who.headers),
                   403, "forbidden")
        is_problem(client.get("/api/v1/partner/invitations", headers=who.headers), 403, "forbidden")
    is_problem(client.get("/api/v1/partner/users", headers=seller.headers), 403, "forbidden")


def test_no_invitation_email_is_queued_for_a_refused_invitation(engine, client, partner_a):
    invite(client, partner_a, "not-an-email")
    invite(client, partner_a, partner_a.reader.principal.email)
    with reading(engine) as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 0


def test_a_deactivated_members_open_leads_go_back_to_their_locations_rule_and_closed_ones_stay_theirs(
        engine, client, partner_a):
    # given a location handing leads out by round robin to two members, and three leads owned by the first
    member, colleague = (user(engine, partner_a.id, Role.REFERRALS_USER) for _ in range(2))
    rule = client.put(f"/api/v1/partner/locations/{partner_a.tenant.location_id}/assignment",
                      headers=partner_a.admin.headers,
                      json={"mode": "round_robin", "members": [member.id, colleague.id], "max_open_per_member": None})
    assert rule.status_code == 200, rule.text
    leads = [factories.ingest(engine, factories.CONTACT_ME, partner_a.id) for _ in range(3)]
    for lead in leads:
        client.put(f"/api/v1/leads/{lead.id}/owner", json={"user_id": member.id}, headers=partner_a.admin.headers)
    declined = client.post(f"/api/v1/leads/{leads[2].id}/decline", headers=partner_a.admin.headers,
                           json={"reason": "spam", "notes": "Bot."})
    assert declined.status_code == 200, declined.text
    # when the member is deactivated
    client.post(f"/api/v1/partner/users/{member.id}/deactivate", headers=partner_a.admin.headers)
    # then the open ones go to the other member, with a history entry; the archived one keeps its owner
    after = [client.get(f"/api/v1/leads/{lead.id}", headers=partner_a.admin.headers).json() for lead in leads]
    assert [lead["owner"]["id"] for lead in after] == [colleague.id, colleague.id, member.id]
    assert after[0]["history"][-1]["action"] == "assigned"
    assert after[0]["history"][-1]["details"].get("why") == "owner_deactivated"


def test_without_a_rule_a_deactivated_members_open_leads_are_left_unowned(engine, client, partner_a):
    member = user(engine, partner_a.id, Role.REFERRALS_USER)
    lead = factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    client.put(f"/api/v1/leads/{lead.id}/owner", json={"user_id": member.id}, headers=partner_a.admin.headers)
    client.post(f"/api/v1/partner/users/{member.id}/deactivate", headers=partner_a.admin.headers)
    shown = client.get(f"/api/v1/leads/{lead.id}", headers=partner_a.admin.headers).json()
    assert shown["owner"] is None and shown["history"][-1]["action"] == "unassigned"


def test_a_deactivated_member_gets_no_email_still_waiting_for_them_but_a_shared_desk_keeps_its_own(
        engine, client, partner_a):
    # given a member and a colleague who both have their notification emails sent to the team desk, and emails
    # waiting for the member's own address and for the desk, and a new-lead email held for the member's digest
    member, colleague = (user(engine, partner_a.id, Role.REFERRALS_USER) for _ in range(2))
    for who in (member, colleague):
        client.patch("/api/v1/me", headers=who.headers, json={"notification_email": "desk@contoso.example"})
    own = member.principal.email
    with writing(engine) as conn:
        enqueue(conn, *(message(key=f"test:{address}", template="new_lead", recipient=address, language="en",
                                context={}, now=factories.NOW, partner_id=partner_a.id)
                        for address in (own, "desk@contoso.example")))
        digests.hold(conn, recipient=own, day=factories.NOW.date(), lead_id="lead-1", partner_id=partner_a.id,
                     timezone="UTC", language="en", context={})
    # when the member is deactivated
    client.post(f"/api/v1/partner/users/{member.id}/deactivate", headers=partner_a.admin.headers)
    # then the email to their own address is withdrawn (failed, saying why), their digest will not go, and the
    # desk's email, which the colleague also reads, stays
    with reading(engine) as conn:
        rows = {r.recipient: (r.status, r.last_error) for r in conn.execute(select(outbox))}
        held = conn.execute(select(digest_items.c.digested_at)).scalar_one()
    assert rows == {own: ("failed", "withdrawn: the recipient was deactivated"),
                    "desk@contoso.example": ("pending", None)}
    assert held is not None
