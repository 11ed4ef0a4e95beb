"""Lead emails, digests, decline and expiry emails through the outbox to a real SMTP server, on both
databases."""

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from referrals.adapters.smtp import SmtpMailer, message_id_for
from referrals.config import Settings, get_settings
from referrals.domain.enums import Reason, Role
from referrals.services.digests import send_due_digests
from referrals.services.lifecycle import decline_lead
from referrals.services.outbox import LEASE, drain
from referrals.services.sweep import sweep
from referrals.store.db import reading, writing
from referrals.store.tables import outbox, partners, users
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
    monkeypatch.setenv("REFERRALS_OPERATIONS_EMAIL", "ops@program.example")
    get_settings.cache_clear()
    sender = "Referrals <noreply@referrals.example.com>"
    yield SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from=sender))
    get_settings.cache_clear()


def outbox_rows(engine, **where):
    with reading(engine) as conn:
        query = select(outbox)
        for column, value in where.items():
            query = query.where(outbox.c[column] == value)
        return conn.execute(query.order_by(outbox.c.created_at, outbox.c.id)).all()


def test_one_lead_sends_one_email_to_each_referrals_admin(engine, tenant, now, smtp, mailer):
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)

    report = drain(engine, mailer, now=now)

    assert report.sent == 1
    [message] = smtp.recorder.messages
    assert message["To"] == tenant.admin.email  # the reader is not a Referrals admin
    assert "Fabrikam Srl" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert f"https://referrals.example.com/leads/{lead.id}" in text
    assert message.get_body(("html",)) is not None
    assert outbox_rows(engine)[0].status == "sent"


def test_fifteen_leads_in_a_day_send_ten_emails_and_a_digest_of_five_at_day_end(engine, tenant, now, smtp, mailer):
    leads = [
        factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now + timedelta(minutes=i))
        for i in range(15)
    ]
    drain(engine, mailer, now=now + timedelta(hours=1))
    assert len(smtp.recorder.messages) == 10
    assert send_due_digests(engine, now=now + timedelta(hours=2)) == 0  # the day is not over yet

    next_day = now + timedelta(days=1)
    assert send_due_digests(engine, now=next_day) == 1
    assert send_due_digests(engine, now=next_day) == 0  # idempotent
    drain(engine, mailer, now=next_day)

    assert len(smtp.recorder.messages) == 11
    digest = smtp.recorder.messages[-1]
    body = digest.get_body(("plain",)).get_content()
    assert "5 more" in digest["Subject"]
    for held in leads[10:]:
        assert f"/leads/{held.id}" in body
    for emailed in leads[:10]:
        assert f"/leads/{emailed.id}" not in body


def test_a_profile_lead_goes_to_the_location_contact_unless_the_partner_prefers_another_address(
    engine, tenant, now, smtp, mailer
):
    factories.ingest(engine, factories.PROFILE, tenant.partner_id, now=now)
    with writing(engine) as conn:
        conn.execute(update(partners).where(partners.c.id == tenant.partner_id)
                     .values(notification_email="leads-inbox@contoso.it"))
    factories.ingest(engine, factories.PROFILE, tenant.partner_id, now=now)

    drain(engine, mailer, now=now)

    assert sorted(m["To"] for m in smtp.recorder.messages) == ["alerts@contoso.it", "leads-inbox@contoso.it"]


def test_a_users_preferred_email_takes_precedence_over_the_sign_in_address(engine, tenant, now, smtp, mailer):
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.id == tenant.admin.user_id)
                     .values(notification_email="me+leads@contoso.it"))

    factories.ingest(engine, factories.SALES, tenant.partner_id, now=now)
    drain(engine, mailer, now=now)

    assert [m["To"] for m in smtp.recorder.messages] == ["me+leads@contoso.it"]


@pytest.mark.parametrize("kind", factories.INFORMATIONAL_KINDS)
def test_informational_leads_send_nothing(engine, tenant, now, smtp, mailer, kind):
    factories.ingest(engine, kind, tenant.partner_id, now=now)

    drain(engine, mailer, now=now)

    assert outbox_rows(engine) == []
    assert smtp.recorder.messages == []


def test_declining_emails_the_customer_without_the_partners_notes(engine, tenant, now, smtp, mailer):
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    decline_lead(engine, tenant.admin, lead.id, Reason.REQUIREMENT_NOT_MET, "internal: too small for us",
                 now=now + timedelta(hours=1))

    drain(engine, mailer, now=now + timedelta(hours=1))

    [to_customer] = smtp.recorder.to("giulia.rossi@fabrikam.it")
    text = to_customer.get_body(("plain",)).get_content()
    assert "too small" not in text
    assert "https://referrals.example.com/directory" in text
    assert "Buongiorno" in text  # an Italian customer reads Italian


def test_expiry_emails_the_staff_member_who_sent_the_lead(engine, tenant, now, smtp, mailer):
    factories.ingest(engine, factories.SALES, tenant.partner_id, now=now)
    after = now + timedelta(days=14, seconds=1)

    sweep(engine, now=after)
    sweep(engine, now=after)  # a second run sends nothing more
    drain(engine, mailer, now=after)

    [expired] = smtp.recorder.to("seller@program.example")
    assert "expired" in expired["Subject"]


def test_expiry_of_a_marketplace_lead_emails_the_operations_address(engine, tenant, now, smtp, mailer):
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)

    sweep(engine, now=now + timedelta(days=15))
    drain(engine, mailer, now=now + timedelta(days=15))

    assert len(smtp.recorder.to("ops@program.example")) == 1


def test_a_server_that_refuses_for_now_causes_a_retry_with_backoff_and_no_loss(engine, tenant, now, smtp, mailer):
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    smtp.recorder.mode = "refuse_temp"

    first = drain(engine, mailer, now=now)
    assert (first.sent, first.retried) == (0, 1)
    [row] = outbox_rows(engine)
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > now
    assert drain(engine, mailer, now=now + timedelta(seconds=1)).sent == 0  # not due yet: backoff

    smtp.recorder.mode = "accept"
    assert drain(engine, mailer, now=row.next_attempt_at).sent == 1
    assert len(smtp.recorder.messages) == 1


def test_a_server_that_is_down_causes_retries_and_the_message_leaves_when_it_is_back(engine, tenant, now, smtp,
                                                                                       mailer):
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    smtp.stop()
    assert drain(engine, mailer, now=now).retried == 1

    smtp.restart()
    later = now + timedelta(minutes=5)
    assert drain(engine, mailer, now=later).sent == 1
    assert outbox_rows(engine)[0].status == "sent"


def test_a_permanent_refusal_is_kept_as_failed_and_not_retried(engine, tenant, now, smtp, mailer):
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    smtp.recorder.mode = "refuse_perm"

    assert drain(engine, mailer, now=now).failed == 1
    smtp.recorder.mode = "accept"
    assert drain(engine, mailer, now=now + timedelta(days=1)).sent == 0

    [row] = outbox_rows(engine)
    assert row.status == "failed" and "550" in row.last_error


def _queue(engine, tenant, now, count):
    for index in range(count):
        factories.ingest(engine, factories.SALES, tenant.partner_id, now=now, external_id=f"q-{index}")
    with reading(engine) as conn:
        return set(conn.execute(select(outbox.c.idempotency_key)).scalars())


def test_killing_the_worker_mid_batch_loses_nothing_and_resends_at_most_one(engine, tenant, now, smtp, mailer):
    # Enough admins that one lead queues several emails; the server is slow so the kill lands mid-batch.
    for _ in range(7):
        factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_ADMIN)
    keys = _queue(engine, tenant, now, 3)
    assert len(keys) == 24
    smtp.recorder.delay = 0.15
    url = engine.url.render_as_string(hide_password=False)
    script = (
        "import sys; from datetime import datetime;"
        "from referrals.store.db import make_engine; from referrals.config import Settings;"
        "from referrals.adapters.smtp import SmtpMailer, message_id_for; from referrals.services.outbox import drain;"
        f"drain(make_engine({url!r}), SmtpMailer(Settings(smtp_host='127.0.0.1', smtp_port={smtp.port})),"
        f" now=datetime.fromisoformat({now.isoformat()!r}))"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], env=dict(os.environ))
    deadline = time.monotonic() + 30
    while len(smtp.recorder.messages) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.kill()
    worker.wait()
    assert 5 <= len(smtp.recorder.messages) < 24

    smtp.recorder.delay = 0
    drain(engine, mailer, now=now + LEASE + timedelta(seconds=1))  # the lease of the dead worker ran out

    ids = smtp.recorder.message_ids
    assert {i.strip("<>").rsplit("@", 1)[0] for i in ids} == {message_id_for(k) for k in keys}
    assert len(ids) - len(set(ids)) <= 1
    assert {row.status for row in outbox_rows(engine)} == {"sent"}


def test_two_workers_at_once_send_every_message_exactly_once(engine, tenant, now, smtp, mailer):
    for _ in range(4):
        factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_ADMIN)
    keys = _queue(engine, tenant, now, 8)
    smtp.recorder.delay = 0.01
    workers = [threading.Thread(target=drain, args=(engine, mailer), kwargs={"now": now, "batch": 5})
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    ids = smtp.recorder.message_ids
    assert len(ids) == len(keys) == 40
    assert len(set(ids)) == len(ids)
    with reading(engine) as conn:
        assert conn.execute(select(func.count()).select_from(outbox).where(outbox.c.status == "sent")).scalar() == 40


def test_slow_smtp_with_two_workers_sends_each_message_once_and_loses_none(engine, tenant, now, smtp, mailer,
                                                                          monkeypatch):
    # Given 50 queued emails, a server taking 0.1 s a message and a 1 s lease: a drain's batch outlasts its lease.
    for _ in range(4):
        factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_ADMIN)
    keys = _queue(engine, tenant, now, 10)
    assert len(keys) == 50
    with writing(engine) as conn:  # due now by the real clock, which both workers read
        conn.execute(update(outbox).values(next_attempt_at=now - timedelta(days=1)))
    monkeypatch.setattr("referrals.services.outbox.LEASE", timedelta(seconds=1))
    smtp.recorder.delay = 0.1

    def worker() -> None:  # drains again and again, as the minute job and the kicks do
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(outbox_rows(engine, status="pending")):
            drain(engine, mailer, clock=lambda: datetime.now(UTC))
            time.sleep(0.05)

    # When two workers drain at once
    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(90)

    # Then every message arrived exactly once
    ids = smtp.recorder.message_ids
    assert sorted(i.strip("<>").rsplit("@", 1)[0] for i in ids) == sorted(message_id_for(k) for k in keys)
    assert {row.status for row in outbox_rows(engine)} == {"sent"}
