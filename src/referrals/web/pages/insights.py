"""Insights pages: `/insights` for a partner's people, `/program/insights` for program staff (the program, or one
partner picked from the partner table). The period lives in the URL (`from`, `to`, `interval`, and `partner_id`,
`location_id`, `sort`, `order`), so a view can be bookmarked and shared. Every chart is server-rendered SVG with
its numbers in a table beside it; the numbers are the API's (services/insights.py), formatted."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from babel import dates, numbers
from fastapi import APIRouter, Depends, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import InvalidInput
from referrals.domain.insight_figures import ANSWER_BINS, View, answer_bins
from referrals.domain.insights import SERIES, Breakdown, Interval
from referrals.domain.listing import FILTER_BY_NAME
from referrals.domain.windows import RESPONSE_WINDOW
from referrals.services.insights import (
    DEFAULT_DAYS,
    InsightQuery,
    insights,
    partner_table,
    quality_calibration,
)
from referrals.services.partner import list_locations, list_users
from referrals.web.deps import Now, ReadEngineDep
from referrals.web.i18n import Formatter
from referrals.web.labels import N_
from referrals.web.pages import insight_charts as charts
from referrals.web.pages.base import PageRoute, render
from referrals.web.pages.deps import PageUser, language_of, tr

router = APIRouter(route_class=PageRoute, include_in_schema=False)

INVALID_PERIOD = N_("That period is not valid; showing the last 90 days instead.")
PARTNER_ROWS = 50  # the program page's partner table shows this many; the API has them all
RATE_ROWS = 12  # bars per breakdown chart (the table lists every key)
SORTS = ("name", "received", "acceptance_rate", "win_rate", "median_hours", "within_24h", "sla_met")
KINDS = {Breakdown.SOURCE: "Source", Breakdown.CALL_TO_ACTION: "CallToAction", Breakdown.QUALITY: "QualityLabel"}
FLOW_PARTS = (("won", "s-won"), ("lost", "s-lost"), ("declined", "s-declined"), ("expired", "s-expired"),
              ("open", "s-open"))


async def _partner_reader(principal: PageUser) -> Principal:
    principal.partner_scope()
    return principal


async def _program_staff(principal: PageUser) -> Principal:
    principal.require(Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER)
    return principal


PartnerReader = Annotated[Principal, Depends(_partner_reader)]
ProgramStaff = Annotated[Principal, Depends(_program_staff)]


@router.get("/insights")
def partner_page(request: Request, principal: PartnerReader, engine: ReadEngineDep, now: Now) -> Response:
    query, problem = _parse(request, request.query_params, staff=False)
    found, query, problem = _insights(request, engine, principal, query, problem, now)
    places = list_locations(engine, principal)
    team = list_users(engine, principal)
    context = _context(request, found, query, problem, "/insights", now,
                       owners={member.id: member.name or member.email for member in team})
    return render(request, "insights.html", {**context, "locations": places if len(places) > 1 else [],
                                             "team": team})


@router.get("/program/insights")
def program_page(request: Request, principal: ProgramStaff, engine: ReadEngineDep, now: Now) -> Response:
    query, problem = _parse(request, request.query_params, staff=True)
    found, query, problem = _insights(request, engine, principal, query, problem, now)
    _, _, _, calibration = quality_calibration(engine, principal, query, now=now)
    context = _context(request, found, query, problem, "/program/insights", now)
    sort = request.query_params.get("sort", "received")
    sort = sort if sort in SORTS else "received"
    order = "asc" if request.query_params.get("order") == "asc" else "desc"
    table, total = [], 0
    if query.partner_id is None:
        _, _, table, total = partner_table(engine, principal, InsightQuery(query.first, query.last), now=now,
                                           sort=sort, descending=order == "desc", limit=PARTNER_ROWS)
    fmt = Formatter(language_of(request), "UTC", now)
    bands = [(b.low, b.high, b.predicted, b.actual) for b in calibration.bands]
    return render(request, "insights_program.html", {
        **context, "partners": table, "partner_count": total, "sort": sort, "order": order,
        "calibration": calibration, "calibration_chart": charts.calibration(bands, fmt.percent),
    })


def _parse(request: Request, params: QueryParams, *, staff: bool) -> tuple[InsightQuery, str | None]:
    """The view in the URL; a date that is not one, or a period that runs backwards, falls back to the default
    with a message (pages never answer 422)."""
    problem = None
    first, last = _day(params.get("from")), _day(params.get("to"))
    if (params.get("from") and first is None) or (params.get("to") and last is None) or (
            first and last and first > last):
        problem = tr(request, INVALID_PERIOD)
        first = last = None
    interval = Interval.MONTH if params.get("interval") == "month" else Interval.WEEK
    partner_id = params.get("partner_id") or None
    location_id = params.get("location_id") or None
    if staff and partner_id is None:
        location_id = None
    owner = None
    if not staff and params.get("owner"):
        try:  # the lead filter's words; anything else is dropped, as the list page does
            owner = FILTER_BY_NAME["owner"].parse([params["owner"]]) or None
        except ValueError:
            owner = None
    return InsightQuery(first, last, interval, partner_id, location_id, owner), problem


def _insights(request: Request, engine, principal: Principal, query: InsightQuery, problem: str | None,
              now: datetime):
    """The view; a period the service refuses (too long, too far out) falls back to the default with a message."""
    try:
        return insights(engine, principal, query, now=now), query, problem
    except InvalidInput:
        query = replace(query, first=None, last=None)
        return insights(engine, principal, query, now=now), query, tr(request, INVALID_PERIOD)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _context(request: Request, found, query: InsightQuery, problem: str | None, path: str,
             now: datetime, owners: dict[str, str] | None = None) -> dict[str, Any]:
    view = found.view
    fmt = Formatter(language_of(request), "UTC", now)
    state = {"from": view.first.isoformat(), "to": view.last.isoformat(), "interval": view.interval.value,
             "partner_id": found.partner_id if path.startswith("/program") else None,
             "location_id": found.location_id, "owner": query.owner}

    def url(target: str = path, **changes: Any) -> str:
        wanted = {k: v for k, v in {**state, **changes}.items() if v}
        return f"{target}?{urlencode(wanted)}"

    def key_label(breakdown: Breakdown, key: str) -> str:
        if not key:
            return tr(request, "(none)")
        if breakdown is Breakdown.COUNTRY:
            return fmt.country(key)
        if breakdown is Breakdown.OWNER:
            return (owners or {}).get(key, key)
        return fmt.label(key, KINDS[breakdown])

    def percent(value: float | None) -> str:
        return "–" if value is None else numbers.format_percent(value, "#,##0.#%", locale=fmt.locale)

    flow_names = {"won": tr(request, "Won"), "lost": tr(request, "Lost"), "declined": tr(request, "Declined"),
                  "expired": tr(request, "Expired"), "open": tr(request, "Open")}
    stacks = []
    for start, f in view.series:
        parts = {name: f[name] for name in ("won", "lost", "declined", "expired")}
        parts["open"] = f["received"] - sum(parts.values())
        stacks.append([(css, parts[name], f"{fmt.date(start)}: {flow_names[name]} {fmt.number(parts[name])}")
                       for name, css in FLOW_PARTS])
    flow = charts.stacked_bars([_short(fmt, start, view.interval) for start, _ in view.series], stacks, fmt.number)
    bins = answer_bins(view.totals.histogram)
    bin_names = _bin_names(request)
    answer = charts.columns(bin_names, bins, fmt.number, marker=len(ANSWER_BINS),
                            marker_label=tr(request, "Deadline"))
    shown = [b for b in Breakdown if b is not Breakdown.OWNER or owners is not None]  # names: the partner's page
    rates = {}
    for breakdown in shown:
        rates[breakdown] = charts.paired_bars(
            [(key_label(breakdown, r.key), (r.acceptance_rate, percent(r.acceptance_rate)),
              (r.win_rate, percent(r.win_rate))) for r in view.breakdowns[breakdown][:RATE_ROWS]],
            (tr(request, "Acceptance rate"), tr(request, "Win rate")))
    money = _money(view)
    value_chart = charts.paired_bars(
        [(currency, (_share(won, max(won, open_)), fmt.money(won, currency)),
          (_share(open_, max(won, open_)), fmt.money(open_, currency))) for currency, won, open_ in money],
        (tr(request, "Won"), tr(request, "Open")))
    return {
        "found": found, "view": view, "query": query, "problem": problem, "path": path, "url": url,
        "state": state, "percent": percent, "key_label": key_label, "series_names": SERIES,
        "flow_chart": flow, "answer_chart": answer, "answer_bins": list(zip(bin_names, bins, strict=True)),
        "rate_charts": rates, "breakdowns": shown, "money": money, "value_chart": value_chart,
        "deadline_days": RESPONSE_WINDOW.days, "default_days": DEFAULT_DAYS,
        "presets": _presets(found.today, url),
    }


def _short(fmt: Formatter, start: date, interval: Interval) -> str:
    return dates.format_date(start, "MMM yy" if interval is Interval.MONTH else "d MMM", locale=fmt.locale)


def _bin_names(request: Request) -> list[str]:
    return [tr(request, "up to 1 h"), tr(request, "1–4 h"), tr(request, "4–24 h"), tr(request, "1–3 days"),
            tr(request, "3–7 days"), tr(request, "7–14 days"), tr(request, "later")]


def _share(part: Decimal, whole: Decimal) -> float | None:
    return float(part / whole) if whole else None


def _money(view: View) -> list[tuple[str, Decimal, Decimal]]:
    """(currency, won, open) for every currency with either."""
    won = {currency: amount for amount, currency in view.won_value}
    still_open = {currency: amount for amount, currency in view.open_value}
    return [(c, won.get(c, Decimal(0)), still_open.get(c, Decimal(0))) for c in sorted(won.keys() | still_open.keys())]


def _presets(today: date, url) -> list[tuple[int, str]]:
    """Quick periods ending today: 30 and 90 days by week, a year by month."""
    return [(days, url(**{"from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat(),
                          "interval": "month" if days > 120 else "week"})) for days in (30, 90, 365)]
