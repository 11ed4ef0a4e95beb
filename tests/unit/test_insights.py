"""The insights rules without a database: periods covered by months and days, weeks from Monday, nearest-rank
percentiles over one-hour buckets rounded up, rates that are None without a denominator, the calibration's AUC,
and a change that takes a lead's old figures away and adds its new ones."""

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from referrals.domain.insight_figures import answer_bins, auc, nearest_rank, ratio
from referrals.domain.insights import (
    Dim,
    Figures,
    Grain,
    Interval,
    bucket_start,
    contributions,
    cover,
    fold,
    hour_bucket,
    series_starts,
)
from referrals.domain.quality_metrics import auc as reference_auc

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Facts:
    location_id: str = "loc"
    created_at: datetime = T0
    informational: bool = False
    is_test: bool = False
    source: str = "appsource"
    call_to_action: str | None = "contact_me"
    customer_country: str | None = "IT"
    quality_label: str = "high"
    quality_probability: Decimal = Decimal("0.61234")
    status: str = "received"
    outcome: str | None = None
    response_due_at: datetime | None = T0 + timedelta(days=14)
    accepted_at: datetime | None = None
    archived_at: datetime | None = None
    deal_amount: Decimal | None = None
    deal_currency: str | None = None
    owner_id: str | None = None


@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 800))
def test_a_cover_is_whole_months_and_days_exactly_once(first, length):
    last = first + timedelta(days=length)
    days = []
    for grain, start in cover(first, last):
        if grain is Grain.MONTH:
            assert start.day == 1
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            days += [start + timedelta(days=n) for n in range((end - start).days)]
        else:
            days.append(start)
    assert days == [first + timedelta(days=n) for n in range(length + 1)]


def test_a_year_from_the_first_of_a_month_is_twelve_months():
    months = [date(2025, m, 1) for m in range(7, 13)] + [date(2026, m, 1) for m in range(1, 7)]
    assert cover(date(2025, 7, 1), date(2026, 6, 30)) == [(Grain.MONTH, month) for month in months]
    assert cover(date(2025, 7, 2), date(2025, 8, 31))[-1] == (Grain.MONTH, date(2025, 8, 1))


def test_weeks_start_on_monday_and_months_on_the_first():
    assert bucket_start(date(2026, 3, 8), Interval.WEEK) == date(2026, 3, 2)  # a Sunday → its Monday
    assert bucket_start(date(2026, 3, 8), Interval.MONTH) == date(2026, 3, 1)
    assert series_starts(date(2026, 2, 25), date(2026, 3, 10), Interval.WEEK) == [
        date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]


def test_response_times_are_rounded_up_to_the_hour_and_percentiles_are_nearest_rank():
    assert [hour_bucket(s) for s in (0, 1, 3600, 3601, 7200)] == [0, 1, 1, 2, 2]
    histogram = {1: 3, 5: 1, 30: 1}  # 1, 1, 1, 5, 30 hours
    assert (nearest_rank(histogram, 0.5), nearest_rank(histogram, 0.9), nearest_rank({}, 0.5)) == (1, 30, None)
    assert nearest_rank({2: 1, 9: 1}, 0.5) == 2  # rank ceil(0.5 * 2) = 1
    assert answer_bins({1: 2, 2: 1, 24: 1, 25: 1, 336: 1, 337: 4}) == [2, 1, 1, 1, 0, 1, 4]


def test_a_rate_without_a_denominator_is_none():
    assert (ratio(1, 3), ratio(0, 0)) == (0.3333, None)


def test_the_auc_of_the_histograms_is_the_rank_sum_auc():
    rng = random.Random(3)
    steps = [rng.randrange(0, 1001) for _ in range(300)]
    won = [rng.random() < step / 1000 for step in steps]
    positives, negatives = {}, {}
    for step, is_won in zip(steps, won, strict=True):
        into = positives if is_won else negatives
        into[step] = into.get(step, 0) + 1
    assert auc(positives, negatives) == round(reference_auc(won, [s / 1000 for s in steps]), 4)
    assert auc(positives, {}) is None


def test_a_change_takes_the_old_figures_away_and_adds_the_new():
    received = Facts()
    accepted = replace(received, status="accepted", accepted_at=T0 + timedelta(hours=2), deal_amount=Decimal("10.50"),
                       deal_currency="EUR")
    zones = {"p": ZoneInfo("Europe/Rome")}
    rows, program = fold([("p", 1, received), ("p", -1, received), ("p", 1, accepted)], zones)
    all_day = rows[("p", Grain.DAY, date(2026, 3, 2), Dim.ALL, "", "loc")]
    assert (all_day["received"], all_day["accepted"], all_day["waiting"], all_day["answered"]) == (1, 1, 0, 1)
    assert all_day.histogram == {2: 1}
    assert rows[("p", Grain.MONTH, date(2026, 3, 1), Dim.OPEN_VALUE, "EUR", "loc")].cents == 1050
    assert program[(Grain.DAY, date(2026, 3, 2), Dim.ALL, "")].counts == all_day.counts


def test_test_leads_count_nowhere_and_informational_leads_only_apart():
    assert contributions(replace(Facts(), is_test=True)) == []
    (only,) = contributions(replace(Facts(), informational=True, call_to_action="free_trial"))
    assert (only.dim, only.key) == (Dim.INFORMATIONAL, "free_trial")


def test_figures_merge_and_empty_out():
    one = Figures([1] * 10, 5, {3: 1})
    total = one.copy()
    total.merge(one, -1)
    assert total.is_empty()


def test_the_rollup_tables_have_a_column_for_every_count():
    from referrals.domain.insights import COUNTS
    from referrals.store.tables import insight_program_rollup, insight_rollup

    for table in (insight_rollup, insight_program_rollup):
        assert [name for name in COUNTS if name in table.c] == list(COUNTS)
