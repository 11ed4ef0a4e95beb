"""Insights: folding the lead change log into the rollups (a job), and the views partners and program staff read.

A view adds up the rollup rows of the whole months and days covering its dates and the changes logged since the
last fold (so it is exact right after any change); the still-received leads younger than a response limit come
from the last days' `waiting` rows, which keep each one's arrival to the second. Everything is read in one
snapshot, and no view reads the leads themselves."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import InvalidInput, NotFound
from referrals.domain.insight_figures import (
    Calibration,
    Response,
    View,
    acceptance_rate,
    calibration,
    ratio,
    response,
    view,
    win_rate,
    young_waiting,
)
from referrals.domain.insights import (
    COMPARISON_MIN_OTHERS,
    PARTNER_ONLY,
    WITHIN,
    Dim,
    Figures,
    Interval,
    add_changes,
    cover,
    fold,
    instants,
    local_day,
)
from referrals.domain.listing import OWNER_ME, OWNER_NONE
from referrals.store import insights as store
from referrals.store.db import writing

NO_OWNER = ""  # Scope.owner: the leads nobody owns
FOLD_BATCH = 20_000
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366 + 1
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)  # the dates a period may hold


@dataclass(frozen=True)
class InsightQuery:
    first: date | None = None
    last: date | None = None
    interval: Interval = Interval.WEEK
    partner_id: str | None = None
    location_id: str | None = None
    owner: str | None = None  # `me`, `none` or a user id (the lead filter's words)


@dataclass(frozen=True)
class Scope:
    """Whose leads a view counts: one partner (in its time zone, perhaps one location, perhaps one owner's or the
    unowned leads) or the program (UTC)."""

    partner_id: str | None
    zone: tzinfo
    location_id: str | None = None
    name: str | None = None
    owner: str | None = None  # a user id, or NO_OWNER


@dataclass(frozen=True)
class Comparison:
    """The program's figures beside a partner's (no other partner is named)."""

    acceptance_rate: float | None
    win_rate: float | None
    response: Response


@dataclass(frozen=True)
class Insights:
    partner_id: str | None
    location_id: str | None
    view: View
    program: Comparison | None
    today: date  # in the view's time zone: where default periods end
    partner_name: str | None = None


# -- the job ---------------------------------------------------------------------------------------------


def fold_changes(engine: Engine, *, batch: int = FOLD_BATCH) -> int:
    """Fold the whole change log into the rollups, `batch` changes a transaction; answer how many were folded."""
    folded = 0
    while True:
        with writing(engine) as conn:
            changes = store.take_changes(conn, batch)
            if not changes:
                return folded
            ids = {c.partner_id for c in changes}
            known = store.zones(conn, ids)
            zones = {p: ZoneInfo(known.get(p, "UTC")) for p in ids}  # a partner gone from the table: UTC days
            partner_rows, program_rows = fold(((c.partner_id, c.sign, c) for c in changes), zones)
            store.add_to_rollups(conn, partner_rows, program_rows)
        folded += len(changes)


# -- the views -------------------------------------------------------------------------------------------


def insights(engine: Engine, principal: Principal, query: InsightQuery, *, now: datetime) -> Insights:
    with store.snapshot(engine) as conn:
        scope = _scope(conn, principal, query)
        first, last = _dates(query, scope.zone, now)
        shown = _view(conn, scope, first, last, query.interval, now)
        program = None
        others = 0 if scope.partner_id is None else store.other_partners_with_leads(
            conn, cover(first, last), scope.partner_id, COMPARISON_MIN_OTHERS)
        if others >= COMPARISON_MIN_OTHERS:
            whole = _view(conn, Scope(None, UTC), first, last, query.interval, now, dims=(Dim.ALL,))
            program = Comparison(whole.acceptance_rate, whole.win_rate, whole.response)
    return Insights(scope.partner_id, scope.location_id, shown, program, local_day(now, scope.zone), scope.name)


def quality_calibration(engine: Engine, principal: Principal, query: InsightQuery, *, now: datetime
                        ) -> tuple[Scope, date, date, Calibration]:
    principal.require(Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER)
    with store.snapshot(engine) as conn:
        scope = _scope(conn, principal, query)
        first, last = _dates(query, scope.zone, now)
        rows, _ = _figures(conn, scope, first, last, dims=(Dim.CALIBRATION,), with_days=False)
    return scope, first, last, calibration(rows)


@dataclass(frozen=True)
class PartnerFigures:
    partner_id: str
    name: str
    figures: Figures
    acceptance_rate: float | None
    win_rate: float | None
    response: Response


PARTNER_SORTS = ("name", "received", "accepted", "won", "acceptance_rate", "win_rate", "median_hours",
                 "within_24h", "sla_met")
_NEEDS_HOURS = {"median_hours", "within_24h"}  # sorts that read every partner's response-hours histogram
# the counts each other sort reads for every partner (domain/insight_figures.py: acceptance_rate, win_rate; sla_met
# in `_Counted`); the partners shown are then read whole
_SORTED_BY = {"name": (), "received": ("received",), "accepted": ("accepted",), "won": ("won",),
              "acceptance_rate": ("accepted", "declined", "expired"), "win_rate": ("won", "lost"),
              "sla_met": ("on_time", "answered", "expired")}


def partner_table(engine: Engine, principal: Principal, query: InsightQuery, *, now: datetime,
                  sort: str = "received", descending: bool = True, limit: int | None = None
                  ) -> tuple[date, date, list[PartnerFigures], int]:
    """Every partner's figures over the same local dates (each partner's days in its own time zone), sorted
    (partners without the figure last, ties by name), the first `limit`, and how many partners there are.
    With a limit, every partner is read for the sort's own counts only, then the partners shown whole (a year of
    2,000 partners' ten sums was a third of the program's page); response hours are read for the partners shown
    only, unless the sort needs them all."""
    principal.require(Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER)
    if query.partner_id or query.location_id:
        raise InvalidInput("The partner table takes neither partner_id nor location_id.")
    if sort not in PARTNER_SORTS:
        raise InvalidInput(f"sort is one of {', '.join(PARTNER_SORTS)}.")
    first, last = _dates(query, UTC, now)
    periods = cover(first, last)
    with store.snapshot(engine) as conn:
        partners = store.partner_list(conn)  # (id, name, time zone), by name
        names = [(p, name) for p, name, _ in partners]
        logged = _logged(conn, first, last, {p: ZoneInfo(zone) for p, _, zone in partners})
        shown, chosen = names, None
        if limit is not None and sort not in _NEEDS_HOURS:  # sort on the counts, then read the rest for those shown
            wanted = _SORTED_BY[sort]
            counted = store.partner_counts(conn, periods, names=wanted) if wanted else {}
            rough = _figures_of(names, counted, logged)
            order = _sorted([_Counted(p, name, rough[p]) for p, name in names], sort, descending)[:limit]
            shown = [(row.partner_id, row.name) for row in order]
            chosen = [p for p, _ in shown]
        if chosen is None:
            stored = store.partner_counts(conn, periods)
            for partner_id, hours in store.partner_hours(conn, periods).items():
                stored.setdefault(partner_id, Figures()).merge(Figures(histogram=hours))
        else:  # the partners shown, counts and hours in one read
            stored = store.partner_figures(conn, periods, chosen)
        figures = _figures_of(shown, stored, logged)
        waiting = store.waiting_by_partner(conn, _recent(first, now, None), last, chosen)
    table = _sorted([_partner(p, name, figures[p], _waiting(waiting.get(p, {}), logged.get(p, {})), now)
                     for p, name in shown], sort, descending)
    return first, last, table[:limit] if limit is not None else table, len(names)


def _logged(conn: Connection, first: date, last: date, zones: dict[str, tzinfo]) -> dict[str, dict]:
    """Each partner's changes not folded yet of leads created on its own local dates first..last, by (dimension,
    key): the log of every zone is read a day either side of the UTC dates."""
    found: dict[str, dict] = {}
    start, end = instants(first - timedelta(days=1), last + timedelta(days=1), UTC)
    for change in store.pending(conn, None, start, end):
        zone = zones.get(change.partner_id, UTC)
        if first <= local_day(change.created_at, zone) <= last:
            add_changes(found.setdefault(change.partner_id, {}), {}, [(change.sign, change)], zone)
    return found


def _figures_of(partners: list[tuple[str, str]], stored: dict[str, Figures], logged: dict[str, dict]
                ) -> dict[str, Figures]:
    """Each partner's `all` figures: the rollup's plus the log's."""
    figures = {}
    for p, _ in partners:
        total = stored.get(p) or Figures()
        pending = logged.get(p, {}).get((Dim.ALL, ""))
        if pending is not None:
            total.merge(pending)
        figures[p] = total
    return figures


def _partner(partner_id: str, name: str, figures: Figures, waiting: dict[int, int], now: datetime
             ) -> PartnerFigures:
    return PartnerFigures(partner_id, name, figures, acceptance_rate(figures), win_rate(figures),
                          response(figures, young_waiting(waiting, now)))


@dataclass(frozen=True)
class _Counted:
    """A partner row before its response hours are read: what the sorts on counts need."""

    partner_id: str
    name: str
    figures: Figures

    @property
    def acceptance_rate(self) -> float | None:
        return acceptance_rate(self.figures)

    @property
    def win_rate(self) -> float | None:
        return win_rate(self.figures)

    @property
    def sla_met(self) -> float | None:
        return ratio(self.figures["on_time"], self.figures["answered"] + self.figures["expired"])


def _sorted(rows: list, sort: str, descending: bool) -> list:
    """By one figure, partners without it last, ties (and `name`) by name."""
    rows = sorted(rows, key=lambda row: (row.name.casefold(), row.partner_id))
    if sort == "name":
        return rows[::-1] if descending else rows

    def figure(row):
        for part in (getattr(row, "response", None), row):
            if hasattr(part, sort):
                return getattr(part, sort)
        return row.figures[sort]

    known = [row for row in rows if figure(row) is not None]
    return sorted(known, key=figure, reverse=descending) + [row for row in rows if figure(row) is None]


# -- helpers ---------------------------------------------------------------------------------------------


def _scope(conn: Connection, principal: Principal, query: InsightQuery) -> Scope:
    """The partner a view counts, or the program: partner users see their own partner (another partner's id is
    404); program staff see the program or the partner they name."""
    if principal.is_program_staff:
        partner_id = query.partner_id
        if partner_id is None and query.location_id is not None:
            raise InvalidInput("location_id needs partner_id.")
    else:
        partner_id = principal.partner_scope()
        if query.partner_id not in (None, partner_id):
            raise NotFound("No such partner.")
    if partner_id is None:
        if query.owner is not None:
            raise InvalidInput("owner needs partner_id.", fields={"owner": "needs partner_id"})
        return Scope(None, UTC)
    found = store.partner(conn, partner_id)
    if found is None:
        raise NotFound("No such partner.")
    if query.location_id is not None and not store.has_location(conn, partner_id, query.location_id):
        raise NotFound("No such location.")
    name, zone = found
    owner = {None: None, OWNER_ME: principal.user_id, OWNER_NONE: NO_OWNER}.get(query.owner, query.owner)
    return Scope(partner_id, ZoneInfo(zone), query.location_id, name, owner)


def _dates(query: InsightQuery, zone: tzinfo, now: datetime) -> tuple[date, date]:
    last = query.last or local_day(now, zone)
    first = query.first or last - timedelta(days=DEFAULT_DAYS - 1)
    if not EARLIEST <= first <= last <= LATEST:
        raise InvalidInput(f"A period runs forwards, between {EARLIEST} and {LATEST}.")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"A period is at most {MAX_DAYS} days.")
    return first, last


def _figures(conn: Connection, scope: Scope, first: date, last: date, *, dims=None, with_days: bool = True
             ) -> tuple[dict, dict]:
    """The rollup's figures plus the log not folded yet: by (dimension, key), and the `all` figures by day."""
    if scope.owner is not None:
        return _owned(conn, scope, first, last)
    rows = store.rollup(conn, scope.partner_id, cover(first, last), scope.location_id, dims)
    days = dict(store.daily(conn, scope.partner_id, first, last, scope.location_id)) if with_days else {}
    start, end = instants(first, last, scope.zone)
    changes = store.pending(conn, scope.partner_id, start, end, scope.location_id)
    if changes:
        add_changes(rows, days, ((c.sign, c) for c in changes), scope.zone)
    if scope.partner_id is None:  # the log's owners are each one partner's, not the program's
        rows = {key: figures for key, figures in rows.items() if key[0] not in PARTNER_ONLY}
    return rows, days


def _owned(conn: Connection, scope: Scope, first: date, last: date) -> tuple[dict, dict]:
    """One owner's (or the unowned) leads, added up from the leads themselves: the rollup is not kept per owner."""
    start, end = instants(first, last, scope.zone)
    owned = store.owned_leads(conn, scope.partner_id, scope.owner or None, start, end,  # type: ignore[arg-type]
                              scope.location_id)
    rows: dict = {}
    days: dict = {}
    add_changes(rows, days, ((1, lead) for lead in owned), scope.zone)
    return rows, days


def _recent(first: date, now: datetime, zone: tzinfo | None) -> date:
    """The first day that may hold leads younger than the longest response limit (a day earlier without a zone:
    every partner's own days)."""
    moment = now - timedelta(hours=max(WITHIN))
    return max(first, local_day(moment, zone) if zone else moment.date() - timedelta(days=1))


def _waiting(stored: dict[int, int], rows: dict) -> dict[int, int]:
    """The still-received leads' histogram: the last days' rollup rows plus the log's (in `rows`)."""
    pending = rows.get((Dim.WAITING, ""))
    if pending is None or not pending.histogram:
        return stored
    total = Figures(histogram=dict(stored))
    total.merge(pending)
    return total.histogram


def _view(conn: Connection, scope: Scope, first: date, last: date, interval: Interval, now: datetime,
          dims=None) -> View:
    rows, days = _figures(conn, scope, first, last, dims=dims, with_days=dims is None)
    stored = {} if scope.owner is not None else store.waiting(  # an owner's rows hold all their waiting leads
        conn, scope.partner_id, _recent(first, now, scope.zone), last, scope.location_id)
    return view(rows, days, young_waiting(_waiting(stored, rows), now), first, last, interval)
