"""Who hears about a lead once owners exist, through the outbox to a real SMTP server: the owner alone, at the
notification address they set, by the rhythm they chose; "assigned to you" in the owner's language. Both databases."""

from datetime import timedelta

import pytest

from referrals.adapters.smtp import SmtpMailer
from referrals.config import Settings, get_settings
from referrals.domain.assignment import AssignmentMode, AssignmentRule
from referrals.domain.enums import Role
from referrals.services import assignment
from referrals.services.digests import send_due_digests
from referrals.services.me import update_my_settings
from referrals.services.outbox import drain
from referrals.services.ownership import assign_lead
from tests import factories
from tests.smtp import SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailer(smtp, monkeypatch):
    monkeypatch.setenv("REFERRALS_BASE_URL", "https://referrals.example.com")
    get_settings.cache_clear()
    yield SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="noreply@referrals.example.com"))
    get_settings.cache_clear()


def round_robin_to(engine, tenant, member):
    rule = AssignmentRule(AssignmentMode.ROUND_ROBIN, (member.user_id,))
    assignment.set_rule(engine, tenant.admin, tenant.location_id, rule, now=factories.NOW)


def test_a_user_who_sets_a_notification_address_gets_new_lead_emails_there(engine, tenant, now, smtp, mailer):
    # given a member who set a notification address, and a rule that gives them every new lead
    member = factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_USER)
    update_my_settings(engine, member, {"notification_email": "desk@contoso.example"})
    round_robin_to(engine, tenant, member)
    # when a lead arrives and the outbox drains
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    drain(engine, mailer, now=now)
    # then the owner alone is told, at that address: not at their sign-in address, and not the admins
    assert [m["To"] for m in smtp.recorder.messages] == ["desk@contoso.example"]
    assert f"/leads/{lead.id}" in smtp.recorder.messages[0].get_body(("plain",)).get_content()


def test_an_owner_who_chose_the_digest_or_nothing_gets_no_single_email(engine, tenant, now, smtp, mailer):
    member = factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_USER)
    round_robin_to(engine, tenant, member)
    update_my_settings(engine, member, {"new_lead_emails": "digest"})
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    drain(engine, mailer, now=now)
    assert smtp.recorder.messages == []
    assert send_due_digests(engine, now=now + timedelta(days=1)) == 1
    drain(engine, mailer, now=now + timedelta(days=1))
    assert [m["To"] for m in smtp.recorder.messages] == [member.email]
    update_my_settings(engine, member, {"new_lead_emails": "none"})
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now + timedelta(days=2))
    drain(engine, mailer, now=now + timedelta(days=2))
    assert send_due_digests(engine, now=now + timedelta(days=3)) == 0
    assert len(smtp.recorder.messages) == 1


def test_the_new_owner_is_told_in_their_language_and_not_when_they_take_it_themselves(engine, tenant, now, smtp,
                                                                                     mailer):
    member = factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_USER)
    update_my_settings(engine, member, {"language": "it"})
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    drain(engine, mailer, now=now)
    smtp.recorder.messages.clear()
    assign_lead(engine, tenant.admin, lead.id, member.user_id, now=now)
    assign_lead(engine, tenant.admin, lead.id, tenant.admin.user_id, now=now)  # took it back: no email to self
    drain(engine, mailer, now=now)
    [told] = smtp.recorder.messages
    assert told["To"] == member.email and told["Subject"].startswith("🔥 Assegnato a te")
