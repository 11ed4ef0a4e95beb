"""Insights on both databases: whatever happens to leads, through the services or straight SQL, and however much
of the change log is folded, every view equals the figures computed afresh from the leads themselves; days are
the partner's own (UTC for the program); informational and test leads are counted apart and not at all."""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from referrals.domain.deal import Money
from referrals.domain.enums import Outcome, Reason, Role, Source
from referrals.domain.insight_figures import view
from referrals.domain.insights import WITHIN, Interval, add_changes, instants, local_day
from referrals.domain.quality_metrics import auc
from referrals.services import directory_admin
from referrals.services.insights import (
    PARTNER_SORTS,
    InsightQuery,
    fold_changes,
    insights,
    partner_table,
    quality_calibration,
)
from referrals.services.lifecycle import accept_lead, close_lead, decline_lead, edit_deal
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.store.tables import leads
from tests import factories

NOW = factories.NOW
ROME = ZoneInfo("Europe/Rome")


def rome_partner(engine, name="Roma Consulting"):
    partner = directory_admin.add_partner(engine, name, country="IT", city="Roma", timezone="Europe/Rome",
                                          contact_email="alerts@roma.example", now=NOW - timedelta(days=400))
    admin = factories.add_principal(engine, partner.id, Role.REFERRALS_ADMIN)
    return partner, admin


def expected(engine, partner_id, zone, first, last, interval=Interval.WEEK, location_id=None, now=NOW):
    """The view computed afresh from the leads (no rollup, no log): the definition the rollup must keep."""
    with reading(engine) as conn:
        query = select(leads).where(leads.c.partner_id == partner_id) if partner_id else select(leads)
        rows = conn.execute(query).all()
    start, end = instants(first, last, zone)
    chosen = [r for r in rows if start <= r.created_at < end and location_id in (None, r.location_id)]
    found, days = {}, {}
    add_changes(found, days, [(1, r) for r in chosen], zone)
    young = {hours: sum(1 for r in chosen if r.status == "received" and not r.informational and not r.is_test
                        and r.created_at > now - timedelta(hours=hours)) for hours in WITHIN}
    return view(found, days, young, first, last, interval)


def story(engine, seed, partner_id, admin, days=75):
    """Random leads over `days` days (some test, some informational, near midnight and not), answered, closed,
    re-valued, re-scored and swept at random; answers the leads and the moments used."""
    rng = random.Random(seed)
    kinds = factories.LEAD_KINDS
    made = []
    for _ in range(40):
        created = NOW - timedelta(days=rng.uniform(1, days))
        if rng.random() < 0.3:  # around midnight, UTC and Rome
            created = created.replace(hour=rng.choice([22, 23, 0]), minute=rng.randrange(60))
        created = min(created, NOW - timedelta(hours=1))
        kind = rng.choice(kinds)
        draft = {"customer": {"country": rng.choice(["IT", "DE", "FR"])},
                 "origin": {"source": rng.choice(list(Source))}, "is_test": rng.random() < 0.1}
        made.append(factories.ingest(engine, kind, partner_id, now=created, **draft))
    for lead in made:
        if lead.informational or rng.random() < 0.25:
            continue
        at = min(lead.created_at + timedelta(hours=rng.uniform(0.2, 200)), NOW)
        if rng.random() < 0.3:
            decline_lead(engine, admin, lead.id, Reason.SPAM, "Not a customer.", now=at)
            continue
        accept_lead(engine, admin, lead.id, factories.deal_terms(team=(admin.user_id,)), now=at)
        if rng.random() < 0.4:
            edit_deal(engine, admin, lead.id, {"value": Money(Decimal(rng.randrange(100, 9000)), "USD")}, now=at)
        if rng.random() < 0.6:
            outcome = rng.choice([Outcome.WON, Outcome.LOST])
            close_lead(engine, admin, lead.id, outcome, Reason.OTHER if outcome is Outcome.LOST else None,
                       "Done.", now=min(at + timedelta(days=3), NOW))
        if rng.random() < 0.1:
            factories.restamp(engine, partner_id, lead.id, quality_label="low", quality_probability=Decimal("0.123"))
    return made


CASES = [
    (date(2026, 1, 1), NOW.date(), Interval.MONTH),  # whole months and days
    (date(2025, 12, 17), date(2026, 2, 3), Interval.WEEK),  # days, a month, days
    (NOW.date() - timedelta(days=3), NOW.date(), Interval.WEEK),  # the last days: young leads counted live
]


@pytest.mark.parametrize("fold_at", ["never", "middle", "end"])
def test_every_view_equals_the_figures_computed_from_the_leads(engine, fold_at):
    partner, admin = rome_partner(engine)
    other = factories.add_tenant(engine, "Northwind Partners")
    story(engine, 7, other.partner_id, other.admin)
    if fold_at == "middle":
        fold_changes(engine, batch=7)
    story(engine, 11, partner.id, admin)
    sweep(engine, now=NOW)
    if fold_at == "end":
        fold_changes(engine, batch=50)
    for first, last, interval in CASES:
        query = InsightQuery(first, last, interval)
        seen = insights(engine, admin, query, now=NOW)
        assert seen.view == expected(engine, partner.id, ROME, first, last, interval)
        staff = factories.add_principal(engine, None, Role.PROGRAM_ADMIN)
        program = insights(engine, staff, query, now=NOW).view
        assert program == expected(engine, None, UTC, first, last, interval)
        assert seen.program is None  # one other partner: the program minus Rome would be Northwind's figures
        located = insights(engine, staff, replace(query, partner_id=partner.id, location_id=partner.location_id),
                           now=NOW).view
        assert located == expected(engine, partner.id, ROME, first, last, interval, partner.location_id)


def test_the_rollup_folded_in_any_batches_is_the_same_rollup(engine):
    partner, admin = rome_partner(engine)
    story(engine, 3, partner.id, admin)
    query = InsightQuery(date(2025, 12, 1), NOW.date(), Interval.MONTH)
    unfolded = insights(engine, admin, query, now=NOW)
    assert fold_changes(engine, batch=3) > 0
    assert insights(engine, admin, query, now=NOW) == unfolded
    assert fold_changes(engine) == 0


def test_a_lead_late_in_the_evening_counts_on_the_partners_own_day(engine):
    # given a Rome partner's lead created at 23:30 UTC on 1 February, 00:30 on the 2nd in Rome
    partner, admin = rome_partner(engine)
    evening = datetime(2026, 2, 1, 23, 30, tzinfo=UTC)
    factories.ingest(engine, factories.CONTACT_ME, partner.id, now=evening)
    staff = factories.add_principal(engine, None, Role.PROGRAM_SELLER)
    for folded in (False, True):
        if folded:
            fold_changes(engine)
        # then the partner counts it on the 2nd, the program on the 1st
        first_day = InsightQuery(date(2026, 2, 1), date(2026, 2, 1))
        second_day = InsightQuery(date(2026, 2, 2), date(2026, 2, 2))
        assert insights(engine, admin, first_day, now=NOW).view.totals["received"] == 0
        assert insights(engine, admin, second_day, now=NOW).view.totals["received"] == 1
        assert insights(engine, staff, first_day, now=NOW).view.totals["received"] == 1
        assert local_day(evening, ROME) == date(2026, 2, 2)


def test_informational_leads_are_counted_apart_and_test_leads_not_at_all(engine, tenant):
    for kind in (factories.GET_IT_NOW, factories.GET_IT_NOW, factories.FREE_TRIAL, factories.CONTACT_ME):
        factories.ingest(engine, kind, tenant.partner_id, now=NOW - timedelta(days=2))
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=NOW - timedelta(days=2), is_test=True)
    factories.ingest(engine, factories.TEST_DRIVE, tenant.partner_id, now=NOW - timedelta(days=2), is_test=True)
    found = insights(engine, tenant.reader, InsightQuery(), now=NOW).view
    assert found.informational == {"free_trial": 1, "get_it_now": 2}
    assert found.totals["received"] == 1 and found.totals["open"] == 1


def test_within_24h_leaves_out_leads_still_waiting_that_are_younger_than_a_day(engine, tenant):
    # given one lead answered in 2 hours, one waiting for 30 hours and one for 10 hours
    answered = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=NOW - timedelta(hours=50))
    accept_lead(engine, tenant.admin, answered.id, factories.deal_terms(team=(tenant.admin.user_id,)),
                now=NOW - timedelta(hours=48))
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=NOW - timedelta(hours=30))
    factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=NOW - timedelta(hours=10))
    fold_changes(engine)
    found = insights(engine, tenant.reader, InsightQuery(), now=NOW).view.response
    # then within 24 hours: 1 answered of 1 answered + 1 waiting longer; within 72: 1 of 1 (both are younger)
    assert (found.answered, found.median_hours, found.within_24h, found.within_72h, found.sla_met) == (
        1, 2, 0.5, 1.0, 1.0)


def test_calibration_bands_and_auc_match_the_quality_metrics(engine, tenant):
    rng = random.Random(5)
    outcomes, probabilities = [], []
    for _ in range(30):
        lead = factories.ingest(engine, factories.PROFILE, tenant.partner_id, now=NOW - timedelta(days=5))
        probability = Decimal(rng.randrange(0, 1001)) / 1000
        factories.restamp(engine, tenant.partner_id, lead.id, quality_probability=probability)
        at = NOW - timedelta(days=4)
        if rng.random() < 0.3:
            decline_lead(engine, tenant.admin, lead.id, Reason.SPAM, "No.", now=at)
            won = False
        else:
            accept_lead(engine, tenant.admin, lead.id, factories.deal_terms(team=(tenant.admin.user_id,)), now=at)
            won = rng.random() < probability
            close_lead(engine, tenant.admin, lead.id, Outcome.WON if won else Outcome.LOST,
                       None if won else Reason.BUDGET_NOT_ADEQUATE, "", now=at)
        outcomes.append(won)
        probabilities.append(float(probability))
    staff = factories.add_principal(engine, None, Role.PROGRAM_ADMIN)
    _, _, _, found = quality_calibration(engine, staff, InsightQuery(), now=NOW)
    assert found.auc == round(auc(outcomes, probabilities), 4)
    assert found.leads == 30 and sum(band.won for band in found.bands) == sum(outcomes)
    fold_changes(engine)
    assert quality_calibration(engine, staff, InsightQuery(), now=NOW)[3] == found


def test_the_partner_table_row_is_the_partners_own_view(engine):
    partner, admin = rome_partner(engine)
    story(engine, 13, partner.id, admin)
    staff = factories.add_principal(engine, None, Role.PROGRAM_ADMIN)
    query = InsightQuery(date(2026, 1, 20), NOW.date())
    own = insights(engine, admin, query, now=NOW).view
    other = factories.add_tenant(engine, "Northwind Partners")
    story(engine, 17, other.partner_id, other.admin)
    for fold in (False, True):
        if fold:
            fold_changes(engine)
        _, _, table, total = partner_table(engine, staff, query, now=NOW)
        (row,) = [r for r in table if r.partner_id == partner.id]
        assert (row.figures.counts, row.response, row.acceptance_rate) == (
            own.totals.counts, own.response, own.acceptance_rate)
        # the first one by any sort, either way, is the same row as in the whole table, response hours and all
        # (with a limit every partner is read for the sort's own counts, then the one shown whole)
        for sort in PARTNER_SORTS:
            for descending in (True, False):
                _, _, (top,), _ = partner_table(engine, staff, query, now=NOW, sort=sort, descending=descending,
                                                limit=1)
                whole = partner_table(engine, staff, query, now=NOW, sort=sort, descending=descending)[2]
                assert top == whole[0], (sort, descending)
        assert total == 2
