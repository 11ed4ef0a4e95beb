"""What insights say of the figures the rollup adds up (domain/insights.py says what is counted): rates,
nearest-rank percentiles over the one-hour buckets, the response figures, money per currency, the calibration's
bands and AUC, and a whole view (totals, lead flow, breakdowns) assembled from rows."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from referrals.domain.insights import (
    BANDS,
    FAILED,
    PROBABILITY_STEPS,
    WITHIN,
    WON,
    Breakdown,
    Dim,
    Figures,
    Interval,
    bucket_start,
    series_starts,
    waiting_second,
)

# -- what the figures say --------------------------------------------------------------------------------


def ratio(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(part / whole, 4)


def acceptance_rate(figures: Figures) -> float | None:
    return ratio(figures["accepted"], figures["accepted"] + figures["declined"] + figures["expired"])


def win_rate(figures: Figures) -> float | None:
    return ratio(figures["won"], figures["won"] + figures["lost"])


def nearest_rank(histogram: dict[int, int], share: float) -> int | None:
    """The nearest-rank value at `share` (0.5: the median) of a histogram bucket -> count; None when empty."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket
    return max(histogram)


@dataclass(frozen=True)
class Response:
    answered: int
    median_hours: int | None
    p90_hours: int | None
    within_24h: float | None
    within_72h: float | None
    sla_met: float | None


def young_waiting(waiting: dict[int, int], now: datetime) -> dict[int, int]:
    """For each limit h of WITHIN: the still-received leads (a WAITING histogram) that arrived less than h hours
    before `now`, to the second."""
    found = {}
    for hours in WITHIN:
        since = waiting_second(now - timedelta(hours=hours))
        found[hours] = sum(n for second, n in waiting.items() if second > since)
    return found


def response(figures: Figures, young: dict[int, int]) -> Response:
    """Response figures from the `all` row; `young[h]` counts the still-received leads of the period that
    arrived less than h hours ago (`young_waiting`)."""
    answered, expired, waiting = figures["answered"], figures["expired"], figures["waiting"]
    hours = figures.histogram

    def within(limit: int) -> float | None:
        fast = sum(n for bucket, n in hours.items() if bucket <= limit)
        return ratio(fast, answered + expired + waiting - young.get(limit, 0))

    return Response(answered, nearest_rank(hours, 0.5), nearest_rank(hours, 0.9), within(24), within(72),
                    ratio(figures["on_time"], answered + expired))


def money(rows: dict[str, Figures]) -> list[tuple[Decimal, str]]:
    """Amounts per currency (currency order), from rows keyed by currency."""
    return [(Decimal(f.cents).scaleb(-2), currency) for currency, f in sorted(rows.items()) if f.cents]


# -- calibration -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    leads: int  # closed as won, lost or declined
    won: int
    predicted: float | None  # mean predicted probability of those leads
    actual: float | None  # won / leads


def bands(won: dict[int, int], failed: dict[int, int]) -> list[Band]:
    """Ten equal bands of the predicted probability (thousandths -> leads that were won / that failed)."""
    found = []
    for band in range(BANDS):
        low, high = band * PROBABILITY_STEPS // BANDS, (band + 1) * PROBABILITY_STEPS // BANDS
        inside = range(low, high + 1 if band == BANDS - 1 else high)
        w = sum(won.get(step, 0) for step in inside)
        f = sum(failed.get(step, 0) for step in inside)
        mass = sum(step * (won.get(step, 0) + failed.get(step, 0)) for step in inside)
        leads = w + f
        found.append(Band(low / PROBABILITY_STEPS, high / PROBABILITY_STEPS, leads, w,
                          None if not leads else round(mass / leads / PROBABILITY_STEPS, 4), ratio(w, leads)))
    return found


def auc(won: dict[int, int], failed: dict[int, int]) -> float | None:
    """Area under the ROC curve from the two histograms: the chance a won lead was predicted higher than a
    failed one, ties counted half; None without both kinds."""
    positives, negatives = sum(won.values()), sum(failed.values())
    if not positives or not negatives:
        return None
    below, area = 0, 0.0
    for step in sorted(set(won) | set(failed)):
        w, f = won.get(step, 0), failed.get(step, 0)
        area += w * (below + f / 2)
        below += f
    return round(area / (positives * negatives), 4)


@dataclass(frozen=True)
class Row:
    """A breakdown row, or a partner in the program's partner table."""

    key: str
    figures: Figures
    acceptance_rate: float | None
    win_rate: float | None
    median_hours: int | None


def row(key: str, figures: Figures) -> Row:
    return Row(key, figures, acceptance_rate(figures), win_rate(figures), nearest_rank(figures.histogram, 0.5))


@dataclass(frozen=True)
class View:
    """Everything an insights view shows, for one scope and period."""

    first: date
    last: date
    interval: Interval
    totals: Figures
    acceptance_rate: float | None
    win_rate: float | None
    response: Response
    won_value: list[tuple[Decimal, str]]
    open_value: list[tuple[Decimal, str]]
    informational: dict[str, int]
    series: list[tuple[date, Figures]]
    breakdowns: dict[Breakdown, list[Row]]


def view(rows: dict[tuple[Dim, str], Figures], days: dict[date, Figures], young: dict[int, int],
         first: date, last: date, interval: Interval) -> View:
    def of(dim: Dim) -> dict[str, Figures]:
        return {key: f for (d, key), f in rows.items() if d == dim and not f.is_empty()}

    totals = rows.get((Dim.ALL, "")) or Figures()
    flow = {start: Figures() for start in series_starts(first, last, interval)}
    for day, figures in days.items():
        if first <= day <= last:  # the lead flow is counts only
            flow[bucket_start(day, interval)].merge(Figures(list(figures.counts)))
    breakdowns = {}
    for breakdown in Breakdown:
        found = of(Dim(breakdown.value))
        most_first = sorted(found, key=lambda key: (-found[key]["received"], key))
        breakdowns[breakdown] = [row(key, found[key]) for key in most_first]
    informational = of(Dim.INFORMATIONAL)
    return View(first, last, interval, totals, acceptance_rate(totals), win_rate(totals), response(totals, young),
                money(of(Dim.WON_VALUE)), money(of(Dim.OPEN_VALUE)),
                {key: f["received"] for key, f in sorted(informational.items())}, sorted(flow.items()), breakdowns)


@dataclass(frozen=True)
class Calibration:
    bands: list[Band]
    leads: int
    auc: float | None


def calibration(rows: dict[tuple[Dim, str], Figures]) -> Calibration:
    won = (rows.get((Dim.CALIBRATION, WON)) or Figures()).histogram
    failed = (rows.get((Dim.CALIBRATION, FAILED)) or Figures()).histogram
    found = bands(won, failed)
    return Calibration(found, sum(b.leads for b in found), auc(won, failed))


ANSWER_BINS = (1, 4, 24, 72, 168, 336)  # hours: the time-to-answer chart's bins; the last edge is the deadline


def answer_bins(histogram: dict[int, int]) -> list[int]:
    """Answered leads per bin of ANSWER_BINS (up to 1 h, 1-4 h, ... 7-14 days) and one more for later answers."""
    found = [0] * (len(ANSWER_BINS) + 1)
    for bucket, n in histogram.items():
        found[next((i for i, edge in enumerate(ANSWER_BINS) if bucket <= edge), len(ANSWER_BINS))] += n
    return found
