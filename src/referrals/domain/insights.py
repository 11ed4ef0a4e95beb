"""Insights: what counts and how, declared once (issue 15; docs/api.md "Insights" shows the same words).

A lead belongs to the period by its creation time, on days of the partner's time zone (UTC for program-wide
views); weeks start on Monday. Only actionable leads count; informational leads are reported apart, as a count
by call to action; test leads never count.

- `received`: actionable leads created in the period; `accepted`: of those, the ones ever accepted; `declined`,
  `expired`, `won`, `lost`: their outcomes; `open`: still received or accepted.
- `acceptance_rate` = accepted / (accepted + declined + expired); `win_rate` = won / (won + lost); None when the
  denominator is 0.
- Response time runs from creation to the first answer (accept or decline). It is kept in one-hour buckets:
  a lead answered after h hours counts in bucket ceil(h), so `median_hours` and `p90_hours` are the nearest-rank
  value over answered leads rounded up to the whole hour. `within_24h`, `within_72h`: leads answered within that
  time / (answered + expired + still-received leads older than that time); `sla_met`: answered before the
  deadline / (answered + expired).
- Money: won and open deal values summed per currency, never converted.
- Calibration: the predicted conversion probability in ten bands against the actual conversion in each band,
  won / (won + lost + declined) (the training target of docs/quality.md); probabilities are kept to the
  thousandth, so the AUC counts leads within the same thousandth as ties (half).

The rollup adds up, per period and per figure, what each lead contributes (`contributions`); a change to a lead
takes its old contribution away and adds its new one, so the same code builds, maintains and checks the rollup.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from referrals.domain.enums import OPEN_STATUSES, Outcome, Status

# -- what is counted ---------------------------------------------------------------------------------------

# A partner sees the program's figures beside its own only when at least this many other partners received leads
# in the period: with fewer, the program minus the partner would be one competitor's (or a few's) figures.
COMPARISON_MIN_OTHERS = 5
COUNTS = ("received", "accepted", "declined", "expired", "won", "lost", "open", "waiting", "answered", "on_time")
TOTALS = ("received", "accepted", "declined", "expired", "won", "lost", "open")  # the API's `totals`
SERIES = ("received", "accepted", "declined", "expired", "won", "lost")  # one point of the lead flow
_INDEX = {name: i for i, name in enumerate(COUNTS)}
HOUR = 3600.0
WITHIN = (24, 72)  # the `within_<n>h` figures
PROBABILITY_STEPS = 1000  # calibration keeps probabilities to the thousandth
BANDS = 10


class Interval(StrEnum):
    WEEK = "week"
    MONTH = "month"


class Breakdown(StrEnum):
    """The breakdowns and their rollup dimension."""

    SOURCE = "source"
    CALL_TO_ACTION = "call_to_action"
    COUNTRY = "country"
    QUALITY = "quality"
    OWNER = "owner"  # leads with an owner, by owner (a partner's own views only); unowned leads are not a row


class Dim(StrEnum):
    """A rollup row's dimension: what its key means."""

    ALL = "all"  # every actionable lead: totals, series, response times
    SOURCE = Breakdown.SOURCE.value
    CALL_TO_ACTION = Breakdown.CALL_TO_ACTION.value
    COUNTRY = Breakdown.COUNTRY.value
    QUALITY = Breakdown.QUALITY.value
    OWNER = Breakdown.OWNER.value  # key: the owner's user id
    INFORMATIONAL = "informational"  # key: call to action; only `received`
    WON_VALUE = "won_value"  # key: currency; `cents`
    OPEN_VALUE = "open_value"  # key: currency; `cents`
    CALIBRATION = "calibration"  # key: won | failed; histogram over the probability in thousandths
    WAITING = "waiting"  # still-received leads, histogram over their creation second (WAITING_EPOCH); days only


BREAKDOWN_DIMS = tuple(Dim(b.value) for b in Breakdown)
ANSWER_DIMS = (Dim.ALL, *BREAKDOWN_DIMS)  # rows whose histogram holds response hours
WON, FAILED = "won", "failed"
DAY_ONLY = frozenset({Dim.WAITING})  # no month rows: only the last days' are ever read
PARTNER_ONLY = frozenset({Dim.OWNER})  # not in the program's rollup: an owner belongs to one partner
WAITING_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)  # int32 seconds from here last until 2088


def waiting_second(moment: datetime) -> int:
    """The second a lead arrived, as the WAITING histogram keeps it: `within_24h` needs the still-received leads
    older than 24 hours, to the second, and the rollup keeps days."""
    return max(0, int((moment - WAITING_EPOCH).total_seconds()))


class Grain(StrEnum):
    """How long a rollup row's period is. A period of the API is covered by whole months and the days left."""

    DAY = "d"
    MONTH = "m"


class LeadFacts(Protocol):
    """What insights read of a lead (a row of `leads` or of the change log has these attributes)."""

    location_id: str
    created_at: datetime
    informational: bool
    is_test: bool
    source: str
    call_to_action: str | None
    customer_country: str | None
    quality_label: str
    quality_probability: Decimal | float
    status: str
    outcome: str | None
    response_due_at: datetime | None
    accepted_at: datetime | None
    archived_at: datetime | None
    deal_amount: Decimal | None
    deal_currency: str | None
    owner_id: str | None


def answered_at(lead: LeadFacts) -> datetime | None:
    """The first answer: accepting (kept after the deal closes) or declining."""
    if lead.accepted_at is not None:
        return lead.accepted_at
    return lead.archived_at if lead.outcome == Outcome.DECLINED else None


def hour_bucket(seconds: float) -> int:
    """Response times are kept in whole hours, rounded up: bucket h holds answers after (h-1, h] hours."""
    return max(0, math.ceil(seconds / HOUR))


def probability_step(probability: Decimal | float) -> int:
    return min(PROBABILITY_STEPS, max(0, round(float(probability) * PROBABILITY_STEPS)))


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one lead adds to one rollup row: counts (the nonzero ones, as (index in COUNTS, n) pairs), cents of
    money and one histogram entry."""

    dim: Dim
    key: str
    counts: tuple[tuple[int, int], ...] = ()
    cents: int = 0
    bucket: int | None = None


_INFORMATIONAL = ((_INDEX["received"], 1),)


def contributions(lead: LeadFacts) -> list[Contribution]:
    """Every row one lead counts in (none for a test lead)."""
    if lead.is_test:
        return []
    if lead.informational:
        return [Contribution(Dim.INFORMATIONAL, lead.call_to_action or "", _INFORMATIONAL)]
    outcome, status = lead.outcome, lead.status
    answer = answered_at(lead)
    due = lead.response_due_at
    flags = (
        True,
        lead.accepted_at is not None,
        outcome == Outcome.DECLINED,
        outcome == Outcome.EXPIRED,
        outcome == Outcome.WON,
        outcome == Outcome.LOST,
        status in OPEN_STATUSES,
        status == Status.RECEIVED,
        answer is not None,
        answer is not None and (due is None or answer < due),
    )
    counts = tuple((i, 1) for i, flag in enumerate(flags) if flag)
    bucket = None if answer is None else hour_bucket((answer - lead.created_at).total_seconds())
    found = [
        Contribution(Dim.ALL, "", counts, bucket=bucket),
        Contribution(Dim.SOURCE, lead.source, counts, bucket=bucket),
        Contribution(Dim.CALL_TO_ACTION, lead.call_to_action or "", counts, bucket=bucket),
        Contribution(Dim.COUNTRY, lead.customer_country or "", counts, bucket=bucket),
        Contribution(Dim.QUALITY, lead.quality_label, counts, bucket=bucket),
    ]
    if lead.owner_id:
        found.append(Contribution(Dim.OWNER, lead.owner_id, counts, bucket=bucket))
    if lead.deal_amount is not None and lead.deal_currency:
        cents = int(Decimal(lead.deal_amount).scaleb(2).to_integral_value())
        if outcome == Outcome.WON:
            found.append(Contribution(Dim.WON_VALUE, lead.deal_currency, cents=cents))
        elif status in OPEN_STATUSES:
            found.append(Contribution(Dim.OPEN_VALUE, lead.deal_currency, cents=cents))
    if outcome in (Outcome.WON, Outcome.LOST, Outcome.DECLINED):
        found.append(Contribution(Dim.CALIBRATION, WON if outcome == Outcome.WON else FAILED,
                                  bucket=probability_step(lead.quality_probability)))
    if status == Status.RECEIVED:
        found.append(Contribution(Dim.WAITING, "", bucket=waiting_second(lead.created_at)))
    return found


# -- adding up --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Figures:
    """A rollup row's values: counts, cents and a sparse histogram (bucket -> leads)."""

    counts: list[int] = field(default_factory=lambda: [0] * len(COUNTS))
    cents: int = 0
    histogram: dict[int, int] = field(default_factory=dict)

    def add(self, part: Contribution, sign: int) -> None:
        counts = self.counts
        for i, n in part.counts:
            counts[i] += sign * n
        if part.cents:
            self.cents += sign * part.cents
        if part.bucket is not None:
            histogram = self.histogram
            left = histogram.get(part.bucket, 0) + sign
            if left:
                histogram[part.bucket] = left
            else:
                del histogram[part.bucket]

    def merge(self, other: "Figures", sign: int = 1) -> None:
        if sign == 1:
            self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        else:
            self.counts = [a - b for a, b in zip(self.counts, other.counts, strict=True)]
        self.cents += sign * other.cents
        histogram = self.histogram
        for bucket, n in other.histogram.items():
            left = histogram.get(bucket, 0) + sign * n
            if left:
                histogram[bucket] = left
            else:
                del histogram[bucket]

    def copy(self) -> "Figures":
        return Figures(list(self.counts), self.cents, dict(self.histogram))

    def is_empty(self) -> bool:
        return not any(self.counts) and not self.cents and not self.histogram

    def __getitem__(self, name: str) -> int:
        return self.counts[_INDEX[name]]


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def periods_of(day: date) -> tuple[tuple[Grain, date], ...]:
    """The rollup periods a day belongs to."""
    return ((Grain.DAY, day), (Grain.MONTH, month_of(day)))


def cover(first: date, last: date) -> list[tuple[Grain, date]]:
    """The fewest rollup periods that cover [first, last] exactly: whole months, then the days left over."""
    found: list[tuple[Grain, date]] = []
    day = first
    while day <= last:
        following = next_month(day)
        if day.day == 1 and following - timedelta(days=1) <= last:
            found.append((Grain.MONTH, day))
            day = following
        else:
            found.append((Grain.DAY, day))
            day += timedelta(days=1)
    return found


def bucket_start(day: date, interval: Interval) -> date:
    if interval is Interval.MONTH:
        return month_of(day)
    return day - timedelta(days=day.weekday())


def series_starts(first: date, last: date, interval: Interval) -> list[date]:
    """Every interval that meets [first, last], by its calendar start (the first and last may be partial)."""
    starts, start = [], bucket_start(first, interval)
    while start <= last:
        starts.append(start)
        start = next_month(start) if interval is Interval.MONTH else start + timedelta(days=7)
    return starts


# -- the rollup a set of leads makes ---------------------------------------------------------------------


RowKey = tuple[str, Grain, date, Dim, str, str]  # partner, grain, start, dim, key, location
ProgramKey = tuple[Grain, date, Dim, str]
Rows = dict[tuple[Dim, str], Figures]


def _add_all(rows: Rows, parts: list[Contribution], sign: int) -> None:
    for part in parts:
        into = rows.get((part.dim, part.key))
        if into is None:
            rows[(part.dim, part.key)] = into = Figures()
        into.add(part, sign)


def _is_utc(zone: tzinfo) -> bool:
    return getattr(zone, "key", None) in ("UTC", "Etc/UTC") or zone is UTC


def fold(changes: Iterable[tuple[str, int, LeadFacts]], zones: dict[str, tzinfo]
         ) -> tuple[dict[RowKey, Figures], dict[ProgramKey, Figures]]:
    """What (partner, sign, lead) changes add to the partners' rollup (their local days and months) and the
    program's (UTC days and months). Each change is added once per row of its day; months, and the program's
    days of partners on UTC, are then made from those days."""
    local: dict[tuple[str, str, date], Rows] = {}  # (partner, location, local day) -> rows
    elsewhere: dict[date, Rows] = {}  # UTC day -> rows, of partners not on UTC
    on_utc: dict[str, bool] = {}
    for partner_id, sign, lead in changes:
        parts = contributions(lead)
        if not parts:
            continue
        zone = zones[partner_id]
        day = lead.created_at.astimezone(zone).date()
        key = (partner_id, lead.location_id, day)
        _add_all(local.get(key) or local.setdefault(key, {}), parts, sign)
        utc = on_utc.get(partner_id)
        if utc is None:
            utc = on_utc[partner_id] = _is_utc(zone)
        if not utc:
            day = lead.created_at.astimezone(UTC).date()
            _add_all(elsewhere.get(day) or elsewhere.setdefault(day, {}), parts, sign)
    partner_rows: dict[RowKey, Figures] = {}
    program_days: dict[date, list[Rows]] = {day: [rows] for day, rows in elsewhere.items()}
    for (partner_id, location_id, day), rows in local.items():
        month = month_of(day)
        for (dim, key), figures in rows.items():
            partner_rows[(partner_id, Grain.DAY, day, dim, key, location_id)] = figures
            if dim not in DAY_ONLY:
                _merge_into(partner_rows, (partner_id, Grain.MONTH, month, dim, key, location_id), figures)
        if on_utc[partner_id]:
            program_days.setdefault(day, []).append(rows)
    program_rows: dict[ProgramKey, Figures] = {}
    for day, parts in program_days.items():
        month = month_of(day)
        for rows in parts:
            for (dim, key), figures in rows.items():
                if dim in PARTNER_ONLY:
                    continue
                _merge_into(program_rows, (Grain.DAY, day, dim, key), figures)
                if dim not in DAY_ONLY:
                    _merge_into(program_rows, (Grain.MONTH, month, dim, key), figures)
    return partner_rows, program_rows


def _merge_into(rows: dict, key: tuple, figures: Figures) -> None:
    into = rows.get(key)
    if into is None:
        rows[key] = figures.copy()
    else:
        into.merge(figures)


def add_changes(rows: dict[tuple[Dim, str], Figures], days: dict[date, Figures],
                changes: Iterable[tuple[int, LeadFacts]], zone: tzinfo) -> None:
    """Add (sign, lead) changes not folded yet to a view's rows (by dimension and key) and its days (`all`)."""
    for sign, lead in changes:
        day = None
        for part in contributions(lead):
            into = rows.get((part.dim, part.key))
            if into is None:
                rows[(part.dim, part.key)] = into = Figures()
            into.add(part, sign)
            if part.dim is Dim.ALL:
                day = local_day(lead.created_at, zone)
                (days.get(day) or days.setdefault(day, Figures())).add(part, sign)


def instants(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of the local days first..last."""
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    return start, end
