"""The sweep's set-based expiry emails (built from the UPDATE's returned columns, no Lead objects) are the
emails the per-lead rules would queue: same recipient, language, context and outbox state, on both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from referrals.config import get_settings
from referrals.domain.notify import referrer_of
from referrals.services.reading import get_lead
from referrals.services.sweep import sweep
from referrals.store.db import reading, writing
from referrals.store.outbox import enqueue_many
from referrals.store.tables import outbox
from tests.factories import ACTIONABLE_KINDS, NOW, ingest

LATER = NOW + timedelta(days=15)


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("REFERRALS_BASE_URL", "https://referrals.example.com")
    monkeypatch.setenv("REFERRALS_OPERATIONS_EMAIL", "Ops@Program.example")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def queued(engine) -> dict[str, object]:
    with reading(engine) as conn:
        return {row.idempotency_key: row for row in conn.execute(select(outbox).where(
            outbox.c.template == "lead_expired"))}


def test_swept_leads_queue_the_expiry_email_the_per_lead_rules_describe(engine, tenant, settings):
    # given due leads of every actionable kind, one without a company, in more than one batch
    leads = [ingest(engine, kind, tenant.partner_id, now=NOW) for kind in ACTIONABLE_KINDS]
    leads.append(ingest(engine, "sales", tenant.partner_id, now=NOW, customer={"company": ""}))
    # when the sweep expires them
    assert sweep(engine, now=LATER, batch=2).expired == len(leads)
    # then each referrer named by the domain's referrer_of has exactly one expiry email with the lead's facts
    rows = queued(engine)
    assert len(rows) == len(leads)
    for lead in leads:
        expired = get_lead(engine, tenant.reader, lead.id).lead
        origin = expired.origin
        person = referrer_of(origin.referrer_kind, origin.referrer_email, origin.qualification,
                             settings.operations_email)
        row = rows[f"expired:{lead.id}:{person.address.lower()}"]
        assert (row.recipient, row.language, row.partner_id) == (person.address, person.language, lead.partner_id)
        assert row.context == {
            "lead_id": lead.id, "partner_name": "Contoso Consulting", "company": lead.customer.company,
            "created_at": NOW.strftime("%Y-%m-%d"), "kind": (origin.type or origin.qualification).value}
        assert (row.status, row.attempts, row.next_attempt_at, row.created_at, row.claimed_until) == (
            "pending", 0, LATER, LATER, None)
        assert len(row.id) == 26


def test_the_bulk_enqueue_queues_a_key_already_queued_only_once(engine, tenant):
    # given an expiry email in the outbox
    email = ("expired:L1:ops@program.example", "ops@program.example", "en", {"lead_id": "L1"}, tenant.partner_id)
    with writing(engine) as conn:
        enqueue_many(conn, "lead_expired", LATER, [email])
    first = queued(engine)
    # when the same event and recipient is queued again, alone and in a batch with a new one
    with writing(engine) as conn:
        enqueue_many(conn, "lead_expired", LATER + timedelta(hours=1), [email, ("expired:L2:x@y.example", *email[1:])])
    # then the first row is untouched and only the new key was added
    rows = queued(engine)
    assert set(rows) == {"expired:L1:ops@program.example", "expired:L2:x@y.example"}
    assert rows["expired:L1:ops@program.example"] == first["expired:L1:ops@program.example"]
