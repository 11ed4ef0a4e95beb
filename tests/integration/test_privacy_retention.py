"""Retention on both databases: with REFERRALS_RETENTION_MONTHS the sweep anonymises archived leads older than that
period and leaves younger ones (and open ones) alone; without it the sweep touches nothing of the kind."""

from datetime import timedelta

from sqlalchemy import func, select, update

from referrals.domain.enums import Reason
from referrals.domain.privacy import retention_cutoff
from referrals.services import lifecycle
from referrals.services.sweep import sweep
from referrals.store.db import reading, writing
from referrals.store.tables import erasures, lead_history, leads, outbox
from tests import factories, privacy_world
from tests.factories import NOW


def declined(engine, tenant, at, email):
    lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=at,
                            customer=privacy_world.person(email=email))
    lifecycle.decline_lead(engine, tenant.admin, lead.id, Reason.OTHER,
                           f"{privacy_world.FIRST} said no on {privacy_world.PHONE}", now=at)
    return lead.id


def row(engine, lead_id):
    with reading(engine) as conn:
        return conn.execute(select(leads).where(leads.c.id == lead_id)).one()


def test_an_archived_lead_older_than_the_period_is_anonymised_and_a_younger_one_is_not(engine, tenant):
    old = declined(engine, tenant, NOW - timedelta(days=400), "old@fabrikam.it")
    young = declined(engine, tenant, NOW - timedelta(days=300), "young@fabrikam.it")
    open_lead = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=NOW - timedelta(days=1)).id

    report = sweep(engine, now=NOW, retention_months=12)

    assert report.anonymised == 1
    gone = row(engine, old)
    assert (gone.customer_email, gone.customer_first_name, gone.customer_phone, gone.message) == ("", "", "", "")
    assert gone.erased_at == NOW and gone.outcome == "declined" and gone.customer_company == "Fabrikam Srl"
    assert "[erased]" in gone.closing_notes and privacy_world.FIRST not in gone.closing_notes
    assert row(engine, young).customer_email == "young@fabrikam.it"
    assert row(engine, open_lead).customer_email != ""
    with reading(engine) as conn:
        details = conn.execute(select(lead_history.c.details).where(lead_history.c.lead_id == old)).scalars().all()
        assert conn.execute(select(erasures.c.kind, erasures.c.by)).all() == [("retention", "retention")]
    assert not any(privacy_world.traces_in(str(d)) for d in details)


def test_old_sent_emails_are_deleted_by_retention(engine, tenant):
    declined(engine, tenant, NOW - timedelta(days=400), "old@fabrikam.it")
    with writing(engine) as conn:  # as the drain leaves them once sent
        conn.execute(update(outbox).values(status="sent", sent_at=NOW - timedelta(days=400)))

    sweep(engine, now=NOW, retention_months=12)

    with reading(engine) as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 0


def test_old_pending_emails_are_kept_by_retention(engine, tenant):
    declined(engine, tenant, NOW - timedelta(days=400), "old@fabrikam.it")
    with reading(engine) as conn:
        queued = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
    assert queued > 0  # pending (no SMTP here): retention never deletes them

    sweep(engine, now=NOW, retention_months=12)

    with reading(engine) as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == queued


def test_a_second_sweep_finds_nothing_more_to_anonymise(engine, tenant):
    declined(engine, tenant, NOW - timedelta(days=400), "old@fabrikam.it")
    assert sweep(engine, now=NOW, retention_months=12).anonymised == 1

    assert sweep(engine, now=NOW + timedelta(minutes=5), retention_months=12).anonymised == 0


def test_without_a_retention_period_the_sweep_anonymises_nothing(engine, tenant):
    old = declined(engine, tenant, NOW - timedelta(days=4000), "old@fabrikam.it")

    assert sweep(engine, now=NOW).anonymised == 0
    assert row(engine, old).customer_email == "old@fabrikam.it"
    with reading(engine) as conn:
        assert conn.execute(select(func.count()).select_from(erasures)).scalar_one() == 0


def test_the_cutoff_counts_calendar_months():
    assert retention_cutoff(NOW, 12) == NOW.replace(year=NOW.year - 1)
    march_31 = NOW.replace(month=3, day=31)
    assert retention_cutoff(march_31, 1).day == 28 and retention_cutoff(march_31, 1).month == 2
