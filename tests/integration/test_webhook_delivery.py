"""Webhook deliveries on both databases, with a real receiver on 127.0.0.1: queued in the change's transaction and
only for a change that tells people, sent again when a worker dies holding them, refused at delivery when the host
resolves to an internal address, and an endpoint failing for three days disabled with an email to its admins."""

import json
from datetime import timedelta

from sqlalchemy import event, select

from referrals.domain.enums import Role
from referrals.emails import render
from referrals.services import webhooks
from referrals.services.ingest import ingest_lead, ingest_many
from referrals.services.ownership import assign_lead
from referrals.services.sweep import sweep
from referrals.services.webhook_delivery import LEASE, deliver
from referrals.store import webhooks as store
from referrals.store.db import reading, writing
from referrals.store.tables import outbox
from tests.factories import CONTACT_ME, NOW, add_principal, add_tenant, ingest, lead_draft
from tests.webhooks import receiver

ALLOW = ["127.0.0.1"]


def hook(engine, principal, url, events, allow=ALLOW):
    row, _secret = webhooks.create_webhook(engine, principal, url, events, now=NOW, allow_hosts=allow)
    return row


def log(engine, webhook_id) -> list:
    with reading(engine) as conn:
        return store.log(conn, webhook_id, 100)


def drain_at(engine, moment, allow=ALLOW):
    return deliver(engine, clock=lambda: moment, allow_hosts=allow)


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_once_its_lease_runs_out(engine, tenant):
    with receiver() as box:
        row = hook(engine, tenant.admin, box.url, ["lead.created"])
        ingest(engine, CONTACT_ME, tenant.partner_id)
        with writing(engine) as conn:  # a worker claims the delivery, then dies before sending it
            [claimed] = store.claim(conn, NOW, 10, LEASE)
        assert drain_at(engine, NOW + timedelta(seconds=30)).delivered == 0  # still its claim
        assert drain_at(engine, NOW + LEASE + timedelta(seconds=1)).delivered == 1
    assert [r.id for r in box.requests] == [claimed.id]
    [item] = log(engine, row.id)
    assert item.status == "delivered" and item.attempts == 1


def test_history_being_imported_queues_no_webhook(engine, tenant):
    with receiver() as box:
        row = hook(engine, tenant.admin, box.url, ["*"])
        draft = lead_draft(CONTACT_ME, tenant.partner_id, received_at=NOW - timedelta(days=40))
        assert ingest_lead(engine, draft, now=NOW).created
    assert log(engine, row.id) == []


def test_an_ownership_change_and_an_expiry_are_sent_as_the_lead_is_then(engine, tenant):
    row = hook(engine, tenant.admin, "https://hooks.example.com/x", ["lead.updated", "lead.expired"])
    lead = ingest(engine, CONTACT_ME, tenant.partner_id)
    assign_lead(engine, tenant.admin, lead.id, tenant.reader.user_id, now=NOW + timedelta(hours=1))
    sweep(engine, now=NOW + timedelta(days=15))
    bodies = [json.loads(item.body) for item in reversed(log(engine, row.id))]
    assert [b["type"] for b in bodies] == ["lead.updated", "lead.expired"]
    updated, expired = (b["data"] for b in bodies)
    assert updated["owner"]["id"] == tenant.reader.user_id and updated["status"] == "received"
    assert expired["status"] == "archived" and expired["outcome"] == "expired"
    assert expired["customer"]["email"] is None  # an expired lead shows no contact details, here too


def test_nothing_is_queued_when_no_active_webhook_listens(engine, tenant):
    row = hook(engine, tenant.admin, "https://hooks.example.com/x", ["lead.accepted"])
    ingest(engine, CONTACT_ME, tenant.partner_id)
    assert log(engine, row.id) == []


def test_a_host_that_resolves_to_an_internal_address_at_delivery_is_not_called(engine, tenant):
    with receiver() as box:
        port = box.url.split(":")[2].split("/")[0]
        # registered while the operator allowed it; at delivery it is no longer allowed
        row = hook(engine, tenant.admin, f"https://localhost:{port}/hooks", ["lead.created"], allow=["localhost"])
        ingest(engine, CONTACT_ME, tenant.partner_id)
        assert drain_at(engine, NOW, allow=[]).retried == 1
    assert box.requests == []
    [item] = log(engine, row.id)
    assert "loopback" in item.last_error and item.status_code is None


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_admins_are_emailed(engine, tenant):
    with receiver(*[500] * 50) as box:
        row = hook(engine, tenant.admin, box.url, ["lead.created"])
        ingest(engine, CONTACT_ME, tenant.partner_id)
        drain_at(engine, NOW)
        later = NOW + timedelta(days=3)
        ingest(engine, CONTACT_ME, tenant.partner_id, now=later, external_id="second")
        drain_at(engine, later)
        with reading(engine) as conn:
            disabled = store.find(conn, row.id)
            emails = conn.execute(select(outbox).where(outbox.c.template == "webhook_disabled")).all()
        assert disabled.active is False and disabled.disabled_at == later
        assert [e.recipient for e in emails] == [tenant.admin.email]
        assert emails[0].context["url"] == box.url
        for language, words in (("en", "was disabled"), ("it", "è stato disattivato")):
            rendered = render("webhook_disabled", language, emails[0].context)
            assert words in rendered.subject and box.url in rendered.text and box.url in rendered.html
        sent = len(box.requests)
        ingest(engine, CONTACT_ME, tenant.partner_id, now=later, external_id="third")
        drain_at(engine, later + timedelta(hours=1))
    assert len(box.requests) == sent  # a disabled endpoint is not called


def test_a_success_ends_the_failing_streak(engine, tenant):
    with receiver(500) as box:
        row = hook(engine, tenant.admin, box.url, ["lead.created"])
        ingest(engine, CONTACT_ME, tenant.partner_id)
        drain_at(engine, NOW)
        with reading(engine) as conn:
            assert store.find(conn, row.id).failing_since == NOW
        drain_at(engine, NOW + timedelta(minutes=1))
        with reading(engine) as conn:
            assert store.find(conn, row.id).failing_since is None
    assert len(box.requests) == 2


def test_a_delivery_is_given_up_a_day_after_its_event(engine, tenant):
    with receiver(*[500] * 100) as box:
        row = hook(engine, tenant.admin, box.url, ["lead.created"])
        ingest(engine, CONTACT_ME, tenant.partner_id)
        moment = NOW
        while moment < NOW + timedelta(hours=25):
            drain_at(engine, moment)
            moment += timedelta(minutes=30)
    [item] = log(engine, row.id)
    assert item.status == "failed" and item.attempts == len(box.requests) >= 20


def test_a_leads_webhooks_are_looked_up_on_the_partial_index(engine, tenant):
    """The hot paths ask this for every lead (or batch): two probes of `ix_webhooks_active`, never a scan."""
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL scans a table this small whatever the index; its plan proves nothing
    hook(engine, tenant.admin, "https://hooks.example.com/x", ["*"])
    with reading(engine) as conn:
        compiled = _lookup_sql(conn, tenant.partner_id)
        plan = " ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled).all())
    assert "SCAN webhooks" not in plan and plan.count("USING INDEX ix_webhooks_active") == 2


def _lookup_sql(conn, partner_id: str) -> str:
    """The statement `store.active_for` runs, with its values inlined, caught as it executes."""
    seen: list[str] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM webhooks" in statement:
            literal = statement
            for value in parameters:
                literal = literal.replace("?", f"'{value}'" if isinstance(value, str) else str(value), 1)
            seen.append(literal)

    event.listen(conn, "before_cursor_execute", catch)
    try:
        store.active_for(conn, [partner_id])
    finally:
        event.remove(conn, "before_cursor_execute", catch)
    return seen[0]


def test_a_sweep_batch_queues_expiries_only_for_the_partners_a_webhook_names(engine, tenant):
    other = add_tenant(engine, "Northwind Partners")
    program = add_principal(engine, None, Role.PROGRAM_ADMIN)
    row, _ = webhooks.create_webhook(engine, program, "https://hooks.example.com/x", ["lead.expired"], now=NOW,
                                     allow_hosts=[], partner_ids=[tenant.partner_id])
    mine = [ingest(engine, CONTACT_ME, tenant.partner_id, external_id=f"a{i}").id for i in range(3)]
    ingest(engine, CONTACT_ME, other.partner_id)
    assert sweep(engine, now=NOW + timedelta(days=15)).expired == 4
    bodies = [json.loads(item.body) for item in log(engine, row.id)]
    assert sorted(b["data"]["id"] for b in bodies) == sorted(mine)
    assert {b["data"]["status"] for b in bodies} == {"archived"}


def statements_during(engine, work) -> list[str]:
    seen: list[str] = []

    def catch(_conn, _cursor, statement, _parameters, _context, _many):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", catch)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    return seen


def test_webhooks_cost_a_lead_one_lookup_and_a_batch_one_per_partner(engine, tenant):
    """The hot paths: with nobody listening a lead costs one index probe for webhooks (a batch: one per partner) and
    nothing more; with a listener, a batch's deliveries are one statement."""
    lookups = lambda seen: sum("FROM webhooks" in s for s in seen)  # noqa: E731
    inserts = lambda seen: sum("INSERT INTO webhook_deliveries" in s for s in seen)  # noqa: E731
    drafts = lambda prefix: [lead_draft(CONTACT_ME, tenant.partner_id, external_id=f"{prefix}{i}")  # noqa: E731
                             for i in range(50)]
    one = statements_during(engine, lambda: ingest(engine, CONTACT_ME, tenant.partner_id, external_id="one"))
    many = statements_during(engine, lambda: ingest_many(engine, drafts("quiet"), now=NOW))
    assert (lookups(one), inserts(one), lookups(many), inserts(many)) == (1, 0, 1, 0)
    row = hook(engine, tenant.admin, "https://hooks.example.com/x", ["lead.created"])
    heard = statements_during(engine, lambda: ingest_many(engine, drafts("heard"), now=NOW))
    assert (lookups(heard), inserts(heard)) == (1, 1)
    assert len(log(engine, row.id)) == 50
