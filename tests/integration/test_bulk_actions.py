"""Bulk actions in the services: the same history and emails as the single action, assign and unassign, and jobs
that survive a dead worker (resumed from the first unprocessed lead, nothing acted on twice); both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from referrals.domain.bulk import LEASE, BulkAction, BulkParams
from referrals.domain.enums import Reason, Role
from referrals.domain.listing import LeadFilter, Sort, Tab
from referrals.services import bulk
from referrals.services.lifecycle import decline_lead
from referrals.services.ownership import assign_lead
from referrals.services.reading import get_lead
from referrals.store.db import reading, writing
from referrals.store.leadrows import lifecycle_columns, row_to_lead
from referrals.store.tables import lead_history, leads, outbox, users
from tests import factories

DECLINE = BulkParams(Reason.CHOSE_ANOTHER_VENDOR, "Went local.")
MARKETPLACE = LeadFilter(tab=Tab.MARKETPLACE)


class WorkerDied(Exception):
    pass


def _leads(engine, partner_id, n, prefix="c"):
    return [factories.ingest(engine, factories.CONTACT_ME, partner_id, customer={"email": f"{prefix}{i}@fabrikam.it"})
            for i in range(n)]


def _history(engine, lead_id):
    with reading(engine) as conn:
        rows = conn.execute(select(lead_history).where(lead_history.c.lead_id == lead_id)
                            .order_by(lead_history.c.version)).all()
    return [{k: v for k, v in row._mapping.items() if k != "lead_id"} for row in rows]


def _stored(engine, lead_id):
    """The lead's stored columns a transition may change (its search text aside: it holds the customer's email)."""
    with reading(engine) as conn:
        row = conn.execute(select(leads).where(leads.c.id == lead_id)).one()
    return {name: row._mapping[name] for name in lifecycle_columns(row_to_lead(row)) if name != "search_text"}


def _emails(engine, lead_id):
    with reading(engine) as conn:
        rows = conn.execute(select(outbox.c.template, outbox.c.recipient).where(
            outbox.c.idempotency_key.like(f"%{lead_id}%"))).all()
    return sorted(tuple(row) for row in rows)


def test_a_bulk_decline_writes_what_the_single_decline_writes(engine, tenant, now):
    single, in_bulk = _leads(engine, tenant.partner_id, 2)

    decline_lead(engine, tenant.admin, single.id, DECLINE.reason, DECLINE.notes, now=now)
    answer = bulk.act_on_ids(engine, tenant.admin, BulkAction.DECLINE, DECLINE, [in_bulk.id], now=now)

    assert answer.succeeded == 1
    assert _history(engine, in_bulk.id) == _history(engine, single.id)
    assert [template for template, _ in _emails(engine, in_bulk.id)] == \
        [template for template, _ in _emails(engine, single.id)]
    assert _stored(engine, in_bulk.id) == _stored(engine, single.id)


def test_assign_and_unassign_in_bulk_as_the_single_action_would(engine, tenant, other_tenant, now):
    leads = _leads(engine, tenant.partner_id, 3)
    single = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    owner = factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_USER)
    ids = [lead.id for lead in leads]

    answer = bulk.act_on_ids(engine, tenant.admin, BulkAction.ASSIGN, BulkParams(user_id=owner.user_id), ids, now=now)
    assign_lead(engine, tenant.admin, single.id, owner.user_id, now=now)

    assert answer.succeeded == 3
    assert {get_lead(engine, tenant.admin, i).lead.owner_id for i in ids} == {owner.user_id}
    assert _history(engine, ids[0]) == _history(engine, single.id)
    assert _emails(engine, ids[0]) == _emails(engine, single.id)
    assert _stored(engine, ids[0]) == _stored(engine, single.id)

    stranger = other_tenant.admin.user_id
    refused = bulk.act_on_ids(engine, tenant.admin, BulkAction.ASSIGN, BulkParams(user_id=stranger), ids, now=now)
    assert refused.failed == 3 and all(item.problem["fields"] == {"user_id": "is not an active user of your partner"}
                                       for item in refused.items)

    unassigned = bulk.act_on_ids(engine, tenant.admin, BulkAction.UNASSIGN, BulkParams(), ids, now=now)
    assert unassigned.succeeded == 3
    assert {get_lead(engine, tenant.admin, i).lead.owner_id for i in ids} == {None}


def test_informational_leads_cannot_be_declined_or_assigned_in_bulk(engine, tenant, now):
    info = factories.ingest(engine, factories.FREE_TRIAL, tenant.partner_id)
    assign = BulkParams(user_id=tenant.admin.user_id)
    for action, params in ((BulkAction.DECLINE, DECLINE), (BulkAction.ASSIGN, assign)):
        [item] = bulk.act_on_ids(engine, tenant.admin, action, params, [info.id], now=now).items
        assert item.problem["code"] == "invalid_transition"


def _start_job(engine, tenant, now, n):
    leads = _leads(engine, tenant.partner_id, n)
    queued = bulk.act_on_filter(engine, tenant.admin, BulkAction.DECLINE, DECLINE, MARKETPLACE, Sort.OLDEST, now=now)
    assert isinstance(queued, bulk.Queued) and queued.total == n
    return leads, queued.job_id


def _dies_after(calls: int, now):
    """A clock that stops the run (as a killed worker would) at its call number `calls`."""
    count = [0]

    def clock():
        count[0] += 1
        if count[0] >= calls:
            raise WorkerDied
        return now

    return clock


@pytest.fixture
def small_jobs(monkeypatch):
    monkeypatch.setattr(bulk, "AT_ONCE", 3)
    monkeypatch.setattr(bulk, "CHUNK", 4)


def test_a_job_whose_worker_died_is_resumed_from_its_first_unprocessed_lead(engine, tenant, now, small_jobs):
    leads, job_id = _start_job(engine, tenant, now, 10)

    with pytest.raises(WorkerDied):  # the clock: 1 take, 2 first chunk, 3 renew, 4 second chunk: dies there
        bulk.run_job(engine, tenant.partner_id, job_id, clock=_dies_after(4, now))

    halfway = bulk.job_progress(engine, tenant.admin, job_id)
    assert (halfway.status, halfway.processed, halfway.total) == ("running", 4, 10)
    assert bulk.stalled_jobs(engine, now=now) == []  # its lease still runs: nobody takes it over yet
    assert not bulk.run_job(engine, tenant.partner_id, job_id, clock=lambda: now)

    later = now + LEASE + timedelta(seconds=1)
    assert bulk.stalled_jobs(engine, now=later) == [(tenant.partner_id, job_id)]
    assert bulk.run_job(engine, tenant.partner_id, job_id, clock=lambda: later)

    done = bulk.job_progress(engine, tenant.admin, job_id)
    assert (done.status, done.processed, done.succeeded, done.failed) == ("done", 10, 10, 0)
    assert sorted(item.lead_id for item in done.items) == sorted(lead.id for lead in leads)
    with reading(engine) as conn:
        declines = conn.execute(select(func.count()).select_from(lead_history).where(
            lead_history.c.action == "declined")).scalar_one()
    assert declines == 10  # each lead once: none skipped, none twice
    assert bulk.stalled_jobs(engine, now=later + LEASE * 2) == []


def test_a_job_by_a_user_no_longer_allowed_to_act_fails_each_lead_and_changes_none(engine, tenant, now, small_jobs):
    leads, job_id = _start_job(engine, tenant, now, 5)
    with writing(engine) as conn:
        conn.execute(update(users).where(users.c.id == tenant.admin.user_id).values(active=False))

    assert bulk.run_job(engine, tenant.partner_id, job_id, clock=lambda: now)

    with reading(engine) as conn:
        declines = conn.execute(select(func.count()).select_from(lead_history).where(
            lead_history.c.action == "declined")).scalar_one()
    assert declines == 0
    reader_view = bulk.job_progress(engine, tenant.reader, job_id)
    assert (reader_view.failed, {item.problem["code"] for item in reader_view.items}) == (5, {"forbidden"})


def test_the_job_queue_runs_a_queued_job_and_resumes_one_nobody_took(engine, tenant, now, small_jobs, monkeypatch):
    from referrals import jobs

    leads = _leads(engine, tenant.partner_id, 4)
    queued = [bulk.act_on_filter(engine, tenant.admin, BulkAction.FAVORITE, BulkParams(), MARKETPLACE, Sort.NEWEST,
                                 now=now) for _ in range(2)]
    monkeypatch.setattr(jobs, "_engine", lambda: engine)
    monkeypatch.setattr(jobs.huey, "immediate", True)  # tasks run at once, in this thread

    jobs.start_bulk_job(tenant.partner_id, queued[0].job_id)  # what the web edge calls
    jobs.resume_bulk_jobs()  # the second was never queued: created long before the real clock's now

    for job in queued:
        view = bulk.job_progress(engine, tenant.admin, job.job_id)
        assert (view.status, view.succeeded) == ("done", len(leads))
