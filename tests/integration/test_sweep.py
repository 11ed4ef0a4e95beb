"""The sweep: unanswered actionable leads expire after 14 days, informational leads retire after six months,
exactly once each, with history, and nothing else is touched."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from referrals.domain.enums import Outcome, Reason, Status
from referrals.domain.errors import InvalidTransition
from referrals.domain.windows import add_months
from referrals.services.lifecycle import accept_lead, decline_lead
from referrals.services.reading import get_lead
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.store.tables import lead_history
from tests.factories import ACTIONABLE_KINDS, INFORMATIONAL_KINDS, NOW, deal_terms, ingest

SECOND = timedelta(seconds=1)
FOURTEEN_DAYS_AGO = NOW - timedelta(days=14)
SIX_MONTHS_AGO = add_months(NOW, -6)


def history_rows(engine) -> int:
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(lead_history)).scalar_one()


def state(engine, tenant, lead_id):
    lead = get_lead(engine, tenant.reader, lead_id).lead
    return lead.status, lead.outcome, lead.version


def test_six_months_ago_is_the_second_of_september():
    assert NOW.replace(year=2025, month=9) == SIX_MONTHS_AGO


def test_the_sweep_expires_actionable_leads_at_their_deadline_and_not_before(engine, tenant):
    # given actionable leads of every kind, due exactly now, and the same kinds due in one second
    due = {kind: ingest(engine, kind, tenant.partner_id, now=FOURTEEN_DAYS_AGO) for kind in ACTIONABLE_KINDS}
    not_yet = {kind: ingest(engine, kind, tenant.partner_id, now=FOURTEEN_DAYS_AGO + SECOND)
               for kind in ACTIONABLE_KINDS}
    # when the sweep runs
    report = sweep(engine, now=NOW)
    # then exactly the due ones expired, by the system, with an entry in their history
    assert (report.expired, report.retired) == (len(ACTIONABLE_KINDS), 0)
    for lead in due.values():
        detail = get_lead(engine, tenant.reader, lead.id)
        assert (detail.lead.status, detail.lead.outcome, detail.lead.archived_at) == (
            Status.ARCHIVED, Outcome.EXPIRED, NOW)
        assert detail.lead.version == 2
        last = detail.history[-1]
        assert (last["version"], last["action"], last["from_status"], last["to_status"], last["outcome"]) == (
            2, "expired", "received", "archived", "expired")
        assert (last["actor_id"], last["at"]) == (None, NOW)
    for lead in not_yet.values():
        assert state(engine, tenant, lead.id) == (Status.RECEIVED, None, 1)


def test_the_sweep_retires_informational_leads_at_six_months_and_not_before(engine, tenant):
    # given informational leads six months old, and others one second younger
    due = [ingest(engine, kind, tenant.partner_id, now=SIX_MONTHS_AGO) for kind in INFORMATIONAL_KINDS]
    young = [ingest(engine, kind, tenant.partner_id, now=SIX_MONTHS_AGO + SECOND) for kind in INFORMATIONAL_KINDS]
    # when the sweep runs
    report = sweep(engine, now=NOW)
    # then the six-month-old ones are archived, and they were never "expired" by the 14-day rule
    assert (report.expired, report.retired) == (0, len(INFORMATIONAL_KINDS))
    for lead in due:
        detail = get_lead(engine, tenant.reader, lead.id)
        assert (detail.lead.status, detail.lead.version) == (Status.ARCHIVED, 2)
        assert detail.history[-1]["action"] == "retired"
    for lead in young:
        assert state(engine, tenant, lead.id) == (Status.RECEIVED, None, 1)


def test_informational_leads_do_not_expire_after_fourteen_days(engine, tenant):
    leads = [ingest(engine, kind, tenant.partner_id, now=NOW - timedelta(days=100)) for kind in INFORMATIONAL_KINDS]
    assert sweep(engine, now=NOW).expired == 0
    assert all(state(engine, tenant, lead.id) == (Status.RECEIVED, None, 1) for lead in leads)


def test_answered_leads_are_left_alone(engine, tenant):
    # given old leads that were accepted or declined in time
    accepted = ingest(engine, "contact_me", tenant.partner_id, now=NOW - timedelta(days=30))
    accept_lead(engine, tenant.admin, accepted.id, deal_terms(team=(tenant.admin.user_id,)),
                now=NOW - timedelta(days=29))
    declined = ingest(engine, "profile", tenant.partner_id, now=NOW - timedelta(days=30))
    decline_lead(engine, tenant.admin, declined.id, Reason.SPAM, "Spam.", now=NOW - timedelta(days=29))
    # when the sweep runs, then it changes neither
    report = sweep(engine, now=NOW)
    assert (report.expired, report.retired) == (0, 0)
    assert state(engine, tenant, accepted.id) == (Status.ACCEPTED, None, 2)
    assert state(engine, tenant, declined.id) == (Status.ARCHIVED, Outcome.DECLINED, 2)


def test_sweeping_twice_changes_nothing_the_second_time(engine, tenant):
    # given due leads, swept once
    for kind in ("contact_me", "get_it_now"):
        ingest(engine, kind, tenant.partner_id, now=SIX_MONTHS_AGO)
    first = sweep(engine, now=NOW)
    rows = history_rows(engine)
    # when the sweep runs again, even later
    second = sweep(engine, now=NOW + timedelta(days=1))
    # then nothing more happened
    assert (first.expired, first.retired) == (1, 1)
    assert (second.expired, second.retired) == (0, 0)
    assert history_rows(engine) == rows


@pytest.mark.parametrize("batch", [1, 2, 5000])
def test_the_sweep_works_through_every_batch(engine, tenant, other_tenant, batch):
    # given due leads of two partners, more than one batch of them
    leads = [ingest(engine, "contact_me", t.partner_id, now=FOURTEEN_DAYS_AGO - timedelta(minutes=n))
             for n in range(3) for t in (tenant, other_tenant)]
    # when the sweep runs in small batches, then every one expired exactly once
    assert sweep(engine, now=NOW, batch=batch).expired == len(leads)
    for lead in leads:
        owner = tenant if lead.partner_id == tenant.partner_id else other_tenant
        assert state(engine, owner, lead.id) == (Status.ARCHIVED, Outcome.EXPIRED, 2)
    assert history_rows(engine) == 2 * len(leads)


def test_an_expired_lead_can_no_longer_be_answered(engine, tenant):
    lead = ingest(engine, "contact_me", tenant.partner_id, now=FOURTEEN_DAYS_AGO)
    sweep(engine, now=NOW)
    with pytest.raises(InvalidTransition, match="archived"):
        accept_lead(engine, tenant.admin, lead.id, deal_terms(team=(tenant.admin.user_id,)), now=NOW)
    assert state(engine, tenant, lead.id) == (Status.ARCHIVED, Outcome.EXPIRED, 2)


@pytest.mark.parametrize("kinds, past", [(ACTIONABLE_KINDS, FOURTEEN_DAYS_AGO), (INFORMATIONAL_KINDS, SIX_MONTHS_AGO)])
def test_the_sweep_archives_a_lead_exactly_as_the_domain_rule_does_for_one_lead(engine, tenant, kinds, past):
    # given due leads, and each one's domain twin told to archive itself by the same rule
    leads = [ingest(engine, kind, tenant.partner_id, now=past) for kind in kinds]
    twins = {lead.id: get_lead(engine, tenant.reader, lead.id).lead for lead in leads}
    entries = {lead_id: (twin.expire(now=NOW) if twin.actionable else twin.retire(now=NOW))
               for lead_id, twin in twins.items()}
    # when the set-based sweep runs
    sweep(engine, now=NOW)
    # then every stored lead and its newest history entry match the twin and its entry, field for field
    for lead_id, twin in twins.items():
        detail = get_lead(engine, tenant.reader, lead_id)
        stored, entry = detail.lead, entries[lead_id]
        assert (stored.status, stored.outcome, stored.archived_at, stored.version) == (
            twin.status, twin.outcome, twin.archived_at, twin.version)
        assert stored.customer == twin.customer
        newest = detail.history[-1]
        assert (newest["version"], newest["action"], newest["from_status"], newest["to_status"], newest["outcome"],
                newest["actor_label"]) == (entry.version, entry.action, entry.from_status, entry.to_status,
                                           entry.outcome, entry.actor.label)
