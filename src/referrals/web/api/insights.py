"""Insights: a partner's (or the program's) lead flow, answer times, rates by source, call to action, country and
quality, and pipeline value; for program staff also every partner side by side and the quality score's
calibration. The definitions are domain/insights.py's, shown in docs/api.md "Insights"."""

import csv
import io
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from referrals.domain.insight_figures import Response as Answering
from referrals.domain.insight_figures import Row
from referrals.domain.insights import SERIES, Breakdown, Figures, Interval
from referrals.domain.text import safe_cell
from referrals.services.insights import InsightQuery, Insights, insights, partner_table, quality_calibration
from referrals.web.api.common import LEAD_READ
from referrals.web.api.schemas import MoneyPublic
from referrals.web.deps import CurrentUser, Now, ProgramStaff, ReadEngineDep

router = APIRouter(tags=["insights"], responses=LEAD_READ)

Id = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9a-z]+$")]


class PeriodQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date | None = Field(None, alias="from", description="First day (YYYY-MM-DD); default: `to` - 89 days")
    to: date | None = Field(None, description="Last day, inclusive; default: today (the partner's time zone, or UTC)")
    partner_id: Id | None = Field(None, description="Program staff: one partner (its time zone); partners: their own")
    location_id: Id | None = Field(None, description="Only the leads of one of the partner's locations")
    owner: str | None = Field(None, pattern=r"^((?i:me|none)|[0-9a-z]{1,32})$",
                              description="Only the leads of one owner: `me`, `none` (nobody's) or a user id; needs "
                                          "a partner. Read from the owner's leads, not the rollup")

    def query(self, interval: Interval = Interval.WEEK) -> InsightQuery:
        owner = None if self.owner is None else (self.owner.lower() if self.owner.lower() in ("me", "none")
                                                 else self.owner)
        return InsightQuery(self.from_, self.to, interval, self.partner_id, self.location_id, owner)


class ViewQuery(PeriodQuery):
    interval: Interval = Field(Interval.WEEK, description="The lead flow's points: weeks (from Monday) or months")


class Table(StrEnum):
    SERIES = "series"
    BREAKDOWN = "breakdown"


class CsvQuery(ViewQuery):
    table: Table = Field(Table.SERIES, description="The lead flow, or one breakdown")
    by: Breakdown = Field(Breakdown.SOURCE, description="The breakdown, with table=breakdown")


class PartnerSort(StrEnum):
    NAME = "name"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    WON = "won"
    ACCEPTANCE_RATE = "acceptance_rate"
    WIN_RATE = "win_rate"
    MEDIAN_HOURS = "median_hours"
    WITHIN_24H = "within_24h"
    SLA_MET = "sla_met"


class PartnersQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date | None = Field(None, alias="from", description="First day (YYYY-MM-DD); default: `to` - 89 days")
    to: date | None = Field(None, description="Last day, inclusive; each partner's days in its own time zone")
    sort: PartnerSort = Field(PartnerSort.RECEIVED, description="The column to sort by")
    order: str = Field("desc", pattern="^(asc|desc)$", description="asc or desc; partners without a figure last")
    limit: int | None = Field(None, ge=1, le=10_000, description="Only the first partners (default: all)")


# -- answers ---------------------------------------------------------------------------------------------


class InsightTotals(BaseModel):
    received: int
    accepted: int
    declined: int
    expired: int
    won: int
    lost: int
    open: int


class ResponseTimes(BaseModel):
    answered: int = Field(description="Leads answered (accepted or declined)")
    median_hours: int | None = Field(description="Nearest-rank median, rounded up to the whole hour")
    p90_hours: int | None = Field(description="Nearest-rank 90th percentile, rounded up to the whole hour")
    within_24h: float | None
    within_72h: float | None
    sla_met: float | None


class InsightValue(BaseModel):
    won: list[MoneyPublic]
    open: list[MoneyPublic]


class SeriesPoint(BaseModel):
    start: date
    received: int
    accepted: int
    declined: int
    expired: int
    won: int
    lost: int


class BreakdownRow(BaseModel):
    key: str | None = Field(description="The source, call to action, country or quality label; null: none")
    received: int
    accepted: int
    won: int
    lost: int
    acceptance_rate: float | None
    win_rate: float | None
    median_hours: int | None


class Breakdowns(BaseModel):
    source: list[BreakdownRow]
    call_to_action: list[BreakdownRow]
    country: list[BreakdownRow]
    quality: list[BreakdownRow]
    owner: list[BreakdownRow] = Field(description="Leads with an owner, by owner (key: the user id); unowned leads are "
                                                  "not a row. Empty in program-wide views")


class ProgramComparison(BaseModel):
    acceptance_rate: float | None
    win_rate: float | None
    response: ResponseTimes


class InsightsPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(serialization_alias="from")
    to: date
    interval: Interval
    partner_id: str | None
    location_id: str | None
    totals: InsightTotals
    acceptance_rate: float | None
    win_rate: float | None
    response: ResponseTimes
    value: InsightValue
    informational: dict[str, int] = Field(description="Informational leads created in the period, by call to action")
    series: list[SeriesPoint]
    breakdown: Breakdowns
    program: ProgramComparison | None = Field(
        description="For one partner: the whole program's rates, unnamed; null unless five other partners received "
                    "leads in the period")


class PartnerRow(BaseModel):
    partner_id: str
    name: str
    totals: InsightTotals
    acceptance_rate: float | None
    win_rate: float | None
    response: ResponseTimes


class PartnersPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(serialization_alias="from")
    to: date
    total: int = Field(description="Partners in the program (`partners` holds the first `limit`)")
    partners: list[PartnerRow]


class CalibrationBand(BaseModel):
    low: float
    high: float
    leads: int = Field(description="Leads closed as won, lost or declined")
    won: int
    predicted: float | None = Field(description="Their mean predicted conversion probability")
    actual: float | None = Field(description="won / leads")


class CalibrationPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(serialization_alias="from")
    to: date
    partner_id: str | None
    location_id: str | None
    leads: int
    auc: float | None = Field(description="Over those leads; probabilities within a thousandth count as ties")
    bands: list[CalibrationBand]


def _totals(figures: Figures) -> InsightTotals:
    return InsightTotals(**{name: figures[name] for name in InsightTotals.model_fields})


def _response(found: Answering) -> ResponseTimes:
    return ResponseTimes(**vars(found))


def _row(row: Row) -> BreakdownRow:
    f = row.figures
    return BreakdownRow(key=row.key or None, received=f["received"], accepted=f["accepted"], won=f["won"],
                        lost=f["lost"], acceptance_rate=row.acceptance_rate, win_rate=row.win_rate,
                        median_hours=row.median_hours)


def present(found: Insights) -> InsightsPublic:
    v = found.view
    program = found.program
    return InsightsPublic(
        from_=v.first, to=v.last, interval=v.interval, partner_id=found.partner_id, location_id=found.location_id,
        totals=_totals(v.totals), acceptance_rate=v.acceptance_rate, win_rate=v.win_rate,
        response=_response(v.response),
        value=InsightValue(won=[MoneyPublic(amount=str(a), currency=c) for a, c in v.won_value],
                           open=[MoneyPublic(amount=str(a), currency=c) for a, c in v.open_value]),
        informational=v.informational,
        series=[SeriesPoint(start=start, **{name: f[name] for name in SERIES}) for start, f in v.series],
        breakdown=Breakdowns(**{b.value: [_row(r) for r in v.breakdowns[b]] for b in Breakdown}),
        program=None if program is None else ProgramComparison(
            acceptance_rate=program.acceptance_rate, win_rate=program.win_rate, response=_response(program.response)),
    )


# -- routes ----------------------------------------------------------------------------------------------


@router.get("/insights", response_model=InsightsPublic)
def get_insights(principal: CurrentUser, query: Annotated[ViewQuery, Query()], engine: ReadEngineDep,
                 now: Now) -> InsightsPublic:
    """Lead flow, answer times, rates by source, call to action, country and quality, and pipeline value."""
    return present(insights(engine, principal, query.query(query.interval), now=now))


SERIES_COLUMNS = ("start", *SERIES)
BREAKDOWN_COLUMNS = ("key", "received", "accepted", "won", "lost", "acceptance_rate", "win_rate", "median_hours")


def _cell(value: object) -> str:
    return "" if value is None else safe_cell(str(value))


@router.get(
    "/insights.csv",
    response_class=Response,
    responses={200: {"description": "CSV: with table=series the columns " + ", ".join(SERIES_COLUMNS)
                     + "; with table=breakdown " + ", ".join(BREAKDOWN_COLUMNS),
                     "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_insights_csv(principal: CurrentUser, query: Annotated[CsvQuery, Query()], engine: ReadEngineDep,
                     now: Now) -> Response:
    """The lead flow, or one breakdown, of the same view as CSV (spreadsheet-safe cells)."""
    found = present(insights(engine, principal, query.query(query.interval), now=now))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if query.table is Table.SERIES:
        writer.writerow(SERIES_COLUMNS)
        writer.writerows([_cell(getattr(point, c)) for c in SERIES_COLUMNS] for point in found.series)
        name = "insights-series.csv"
    else:
        writer.writerow(BREAKDOWN_COLUMNS)
        rows = getattr(found.breakdown, query.by.value)
        writer.writerows([_cell(getattr(row, c)) for c in BREAKDOWN_COLUMNS] for row in rows)
        name = f"insights-{query.by.value}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/insights/partners", response_model=PartnersPublic)
def get_partner_table(principal: ProgramStaff, query: Annotated[PartnersQuery, Query()], engine: ReadEngineDep,
                      now: Now) -> PartnersPublic:
    """Program staff: every partner's figures over the same dates, sorted."""
    first, last, table, total = partner_table(
        engine, principal, InsightQuery(query.from_, query.to), now=now, sort=query.sort.value,
        descending=query.order == "desc", limit=query.limit)
    rows = [PartnerRow(partner_id=p.partner_id, name=p.name, totals=_totals(p.figures),
                       acceptance_rate=p.acceptance_rate, win_rate=p.win_rate, response=_response(p.response))
            for p in table]
    return PartnersPublic(from_=first, to=last, total=total, partners=rows)


@router.get("/insights/quality", response_model=CalibrationPublic)
def get_calibration(principal: ProgramStaff, query: Annotated[PeriodQuery, Query()], engine: ReadEngineDep,
                    now: Now) -> CalibrationPublic:
    """Program staff: predicted conversion in ten bands against the actual conversion, and the AUC."""
    scope, first, last, found = quality_calibration(engine, principal, query.query(), now=now)
    return CalibrationPublic(from_=first, to=last, partner_id=scope.partner_id, location_id=scope.location_id,
                             leads=found.leads, auc=found.auc,
                             bands=[CalibrationBand(**vars(band)) for band in found.bands])
