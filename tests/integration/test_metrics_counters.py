"""The counters /metrics shows, counted where things happen, on both databases: leads created by every way in
(once per lead, not per retry of the same external id), leads expired and retired by the sweep, each email by its
fate against a real SMTP server, each webhook delivery by its fate against a real receiver; and the outbox
backlog read from the database."""

from datetime import timedelta

import pytest

from referrals.adapters.smtp import SmtpMailer
from referrals.config import Settings
from referrals.domain.windows import add_months
from referrals.services.ingest import ingest_lead, ingest_many
from referrals.services.operations import backlog
from referrals.services.outbox import drain
from referrals.services.sweep import sweep
from referrals.services.webhook_delivery import deliver
from tests.factories import CONTACT_ME, INFORMATIONAL_KINDS, NOW, add_principal, ingest, lead_draft
from tests.metrics_support import own
from tests.smtp import SmtpServer, free_port
from tests.webhooks import receiver

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_each_lead_created_counts_once_and_an_external_id_sent_again_does_not(engine, tenant):
    before = own("referrals_leads_created_total")
    draft = lead_draft(CONTACT_ME, tenant.partner_id, external_id="mkt-1")
    assert ingest_lead(engine, draft, now=NOW).created
    assert not ingest_lead(engine, draft, now=NOW).created
    batch = [lead_draft(CONTACT_ME, tenant.partner_id, external_id=f"mkt-{n}") for n in (1, 2, 3)]
    assert [r.created for r in ingest_many(engine, batch, now=NOW)] == [False, True, True]
    assert own("referrals_leads_created_total") - before == 3


def test_a_refused_lead_and_a_dry_run_count_nothing(engine, tenant):
    before = own("referrals_leads_created_total")
    ingest_many(engine, [lead_draft(CONTACT_ME, tenant.partner_id)], now=NOW, dry_run=True)
    with pytest.raises(Exception, match="partner"):
        ingest_lead(engine, lead_draft(CONTACT_ME, "no-such-partner"), now=NOW)
    assert own("referrals_leads_created_total") == before


def test_the_sweep_counts_the_leads_it_expires_and_retires(engine, tenant):
    expired, retired = own("referrals_leads_expired_total"), own("referrals_leads_retired_total")
    for _ in range(2):
        ingest(engine, CONTACT_ME, tenant.partner_id, now=NOW - timedelta(days=14))
    ingest(engine, INFORMATIONAL_KINDS[0], tenant.partner_id, now=add_months(NOW, -6))
    sweep(engine, now=NOW)
    sweep(engine, now=NOW)  # nothing left to archive: counts nothing more
    assert own("referrals_leads_expired_total") - expired == 2
    assert own("referrals_leads_retired_total") - retired == 1


def test_each_email_counts_by_its_fate(engine, tenant, smtp):
    sent, retried = own("referrals_emails_sent_total"), own("referrals_emails_retried_total")
    ingest(engine, CONTACT_ME, tenant.partner_id)
    assert drain(engine, SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port)), now=NOW).sent == 1
    ingest(engine, CONTACT_ME, tenant.partner_id)
    nobody_there = SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=free_port()))
    assert drain(engine, nobody_there, now=NOW).retried == 1
    assert own("referrals_emails_sent_total") - sent == 1
    assert own("referrals_emails_retried_total") - retried == 1
    assert len(smtp.recorder.messages) == 1


def test_each_webhook_delivery_counts_by_its_fate(engine, tenant):
    from referrals.services import webhooks

    sent, retried = own("referrals_webhooks_sent_total"), own("referrals_webhooks_retried_total")
    with receiver(500) as box:
        webhooks.create_webhook(engine, tenant.admin, box.url, ["lead.created"], now=NOW, allow_hosts=["127.0.0.1"])
        ingest(engine, CONTACT_ME, tenant.partner_id)
        assert deliver(engine, clock=lambda: NOW, allow_hosts=["127.0.0.1"]).retried == 1
        later = NOW + timedelta(minutes=5)
        assert deliver(engine, clock=lambda: later, allow_hosts=["127.0.0.1"]).delivered == 1
    assert own("referrals_webhooks_retried_total") - retried == 1
    assert own("referrals_webhooks_sent_total") - sent == 1


def test_the_backlog_counts_the_emails_waiting_and_the_age_of_the_oldest(engine, tenant):
    assert backlog(engine, NOW) == backlog(engine, NOW).__class__(0, 0.0, 0)
    add_principal(engine, tenant.partner_id, *tenant.admin.roles)  # a second admin: two emails for one lead
    ingest(engine, CONTACT_ME, tenant.partner_id, now=NOW)
    ingest(engine, CONTACT_ME, tenant.partner_id, now=NOW + timedelta(minutes=10))
    found = backlog(engine, NOW + timedelta(hours=1))
    assert found.emails_pending == 4
    assert found.oldest_email_age == 3600.0
    assert found.webhooks_pending == 0
