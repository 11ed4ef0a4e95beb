"""The expiring-soon reminder: a received lead nobody answered is recalled once, 48 hours before it expires, to its
owner or (unowned) to the usual recipients; answered leads are not. On both databases."""

from datetime import timedelta

from sqlalchemy import select

from referrals.domain.enums import Reason, Role
from referrals.services.lifecycle import decline_lead
from referrals.services.ownership import assign_lead
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.store.tables import outbox
from tests import factories


def reminders(engine):
    with reading(engine) as conn:
        return conn.execute(select(outbox.c.recipient, outbox.c.idempotency_key.label("key"))
                            .where(outbox.c.template == "lead_expiring").order_by(outbox.c.recipient)).all()


def test_an_unanswered_lead_is_recalled_once_two_days_before_it_expires(engine, tenant, now):
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    assert sweep(engine, now=now + timedelta(days=11, hours=23)).reminded == 0  # three days before: not yet
    assert sweep(engine, now=now + timedelta(days=12, minutes=1)).reminded == 1
    assert sweep(engine, now=now + timedelta(days=12, hours=5)).reminded == 0  # once
    assert [r.recipient for r in reminders(engine)] == [tenant.admin.email]  # unowned: the Referrals admins
    assert reminders(engine)[0].key == f"expiring:{lead.id}:{tenant.admin.email}"


def test_an_owned_lead_reminds_its_owner_alone_and_an_answered_one_nobody(engine, tenant, now):
    owner = factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_USER)
    owned = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    assign_lead(engine, tenant.admin, owned.id, owner.user_id, now=now)
    answered = factories.ingest(engine, factories.PROFILE, tenant.partner_id, now=now)
    decline_lead(engine, tenant.admin, answered.id, Reason.SPAM, "Bot.", now=now)
    trial = factories.ingest(engine, factories.FREE_TRIAL, tenant.partner_id, now=now)
    assert sweep(engine, now=now + timedelta(days=12, hours=1)).reminded == 1
    assert [(r.recipient, r.key.split(":")[1]) for r in reminders(engine)] == [(owner.email, owned.id)]
    assert trial.id not in {r.key.split(":")[1] for r in reminders(engine)}


def test_a_lead_already_past_its_deadline_gets_no_reminder(engine, tenant, now):
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=now)
    report = sweep(engine, now=now + timedelta(days=15))
    assert (report.expired, report.reminded) == (1, 0)
