"""Insights' SQL: the change log the triggers on `leads` write (migration 0007), folding it into the rollups,
and the reads a view makes: rollup rows of the periods covering its dates, the last days' still-received leads
(`waiting`), and the log not folded yet. No view reads `leads`, except one filtered to a lead owner
(`owned_leads`): one person's slice of the partner, read on the owner index.

A view reads all of those in one snapshot (`snapshot`: REPEATABLE READ on PostgreSQL, where each statement
would otherwise see its own), so a fold committing in between cannot count a change twice or not at all.
Histograms are stored as little-endian (int32 bucket, int32 leads) pairs and added up with numpy."""

import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, insert, or_, select, text, union_all

from referrals.domain.insights import COUNTS, DAY_ONLY, Dim, Figures, Grain, ProgramKey, RowKey
from referrals.store.db import constant, is_sqlite
from referrals.store.scope import of_partner
from referrals.store.tables import (
    insight_changes,
    insight_program_rollup,
    insight_rollup,
    leads,
    locations,
    partners,
)

PAIR = np.dtype([("bucket", "<i4"), ("leads", "<i4")])  # as `encode` writes them
_BIG_ENDIAN = sys.byteorder == "big"
FOLD_LOCK = 0x1_5151  # PostgreSQL advisory lock: one fold at a time (they read, add and rewrite rows)
_FACTS = [c for c in insight_changes.c if c.name not in ("seq", "sign", "lead_id")]


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction that sees one moment on both databases."""
    with engine.connect() as conn:
        postgresql = not is_sqlite(conn)
        if postgresql:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if postgresql:
                # a view reads a few thousand index entries a statement: starting parallel workers cost more (about
                # 8 ms of the partner table's hours on the 2-core machine) than they saved
                conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            yield conn


# -- the change log ---------------------------------------------------------------------------------------


def take_changes(conn: Connection, limit: int) -> list[Any]:
    """Delete up to `limit` of the oldest logged changes and answer them (partner_id, sign and the facts)."""
    oldest = select(insight_changes.c.seq).order_by(insight_changes.c.seq).limit(limit)
    if not is_sqlite(conn):
        conn.execute(select(func.pg_advisory_xact_lock(FOLD_LOCK)))
        oldest = oldest.with_for_update(skip_locked=True)
    statement = (delete(insight_changes).where(insight_changes.c.seq.in_(oldest.scalar_subquery()))
                 .returning(insight_changes.c.partner_id, insight_changes.c.sign, *_FACTS))
    return conn.execute(statement).all()


def pending(conn: Connection, partner_id: str | None, start: datetime, end: datetime,
            location_id: str | None = None) -> list[Any]:
    """The logged changes not folded yet of leads created in [start, end): one partner's, or everyone's."""
    c = insight_changes.c
    query = select(c.partner_id, c.sign, *_FACTS).where(c.created_at >= start, c.created_at < end)
    if partner_id is not None:
        query = query.where(of_partner(insight_changes, partner_id))
    if location_id is not None:
        query = query.where(c.location_id == location_id)
    return conn.execute(query).all()


def owned_leads(conn: Connection, partner_id: str, owner_id: str | None, start: datetime, end: datetime,
                location_id: str | None = None) -> list[Any]:
    """The facts of the partner's leads created in [start, end) that `owner_id` owns (None: that nobody owns), as
    the change log holds them (`ix_leads_owner`)."""
    facts = [leads.c[c.name] for c in _FACTS if c.name != "partner_id"]
    query = select(*facts).where(of_partner(leads, partner_id), leads.c.created_at >= start, leads.c.created_at < end,
                                 leads.c.owner_id.is_(None) if owner_id is None else leads.c.owner_id == owner_id)
    if location_id is not None:
        query = query.where(leads.c.location_id == location_id)
    return conn.execute(query).all()


def backlog(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(insight_changes)).scalar_one()


def zones(conn: Connection, partner_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(set(partner_ids))
    found: dict[str, str] = {}
    for at in range(0, len(ids), 500):
        found.update((row.id, row.timezone) for row in conn.execute(
            select(partners.c.id, partners.c.timezone).where(partners.c.id.in_(ids[at : at + 500]))))
    return found


def partner(conn: Connection, partner_id: str) -> tuple[str, str] | None:
    """The partner's name and time zone."""
    row = conn.execute(select(partners.c.name, partners.c.timezone).where(partners.c.id == partner_id)).first()
    return None if row is None else (row.name, row.timezone)


def has_location(conn: Connection, partner_id: str, location_id: str) -> bool:
    found = select(locations.c.id).where(of_partner(locations, partner_id), locations.c.id == location_id)
    return conn.execute(found).first() is not None


# -- folding into the rollups -----------------------------------------------------------------------------


def encode(histogram: dict[int, int]) -> bytes | None:
    if not histogram:
        return None
    pairs = array("i", [n for bucket in sorted(histogram) for n in (bucket, histogram[bucket])])
    if _BIG_ENDIAN:
        pairs.byteswap()
    return pairs.tobytes()


def decode(blob: bytes | None) -> dict[int, int]:
    if not blob:
        return {}
    pairs = array("i")
    pairs.frombytes(blob)
    if _BIG_ENDIAN:
        pairs.byteswap()
    return dict(zip(pairs[0::2], pairs[1::2], strict=True))


def _figures(row: Any) -> Figures:
    return Figures([getattr(row, name) for name in COUNTS], row.cents, decode(row.histogram))


def _values(figures: Figures) -> dict[str, Any]:
    return {**dict(zip(COUNTS, figures.counts, strict=True)), "cents": figures.cents,
            "histogram": encode(figures.histogram)}


def _ANY_DIM(table):  # noqa: N802 - reads as a condition
    """Every dimension, spelt out: the keys run (partner,) grain, dim, start, so naming the dimensions lets both
    databases seek each dimension's range of days instead of reading every row of the grain."""
    return table.c.dim.in_([constant(d.value) for d in Dim])


_PARTNER_KEY = ("partner_id", "grain", "start", "dim", "key", "location_id")
_PROGRAM_KEY = ("grain", "start", "dim", "key")


def add_to_rollups(conn: Connection, partner_rows: dict[RowKey, Figures], program_rows: dict[ProgramKey, Figures]
                   ) -> None:
    """Add folded changes to the stored rows: read the rows they touch, add, write them back (rows that come to
    nothing are deleted). The caller holds the fold's lock (SQLite: the write transaction; PostgreSQL: FOLD_LOCK)."""
    by_period: dict[tuple[str, str], set[date]] = {}
    for partner_id, grain, start, *_ in partner_rows:
        by_period.setdefault((partner_id, grain), set()).add(start)
    stored: dict[tuple, Any] = {}
    for (partner_id, grain), starts in by_period.items():
        for chunk in _chunks(sorted(starts), 400):
            rows = conn.execute(select(insight_rollup).where(
                of_partner(insight_rollup, partner_id), insight_rollup.c.grain == grain, _ANY_DIM(insight_rollup),
                insight_rollup.c.start.in_(chunk)))
            stored.update((tuple(getattr(r, k) for k in _PARTNER_KEY), r) for r in rows)
    _rewrite(conn, insight_rollup, _PARTNER_KEY, partner_rows, stored)
    periods: dict[str, set[date]] = {}
    for grain, start, *_ in program_rows:
        periods.setdefault(grain, set()).add(start)
    stored = {}
    for grain, starts in periods.items():
        for chunk in _chunks(sorted(starts), 400):
            rows = conn.execute(select(insight_program_rollup).where(
                insight_program_rollup.c.grain == grain, _ANY_DIM(insight_program_rollup),
                insight_program_rollup.c.start.in_(chunk)))
            stored.update((tuple(getattr(r, k) for k in _PROGRAM_KEY), r) for r in rows)
    _rewrite(conn, insight_program_rollup, _PROGRAM_KEY, program_rows, stored)


def _rewrite(conn: Connection, table, key_names: Sequence[str], changes: dict[tuple, Figures],
             stored: dict[tuple, Any]) -> None:
    gone, fresh = [], []
    for key, delta in changes.items():
        plain = tuple(k.value if isinstance(k, Enum) else k for k in key)
        before, total = stored.get(plain), delta
        if before is not None:
            gone.append({f"k_{name}": value for name, value in zip(key_names, plain, strict=True)})
            total = _figures(before)
            total.merge(delta)
        if not total.is_empty():
            fresh.append({**dict(zip(key_names, plain, strict=True)), **_values(total)})
    if gone:
        conn.execute(delete(table).where(*(table.c[name] == bindparam(f"k_{name}") for name in key_names)), gone)
    if fresh:
        conn.execute(insert(table), fresh)


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for at in range(0, len(items), size):
        yield items[at : at + size]


# -- reading the rollups ----------------------------------------------------------------------------------


def _runs(cover: Sequence[tuple[Grain, date]]) -> list[tuple[Grain, date, date]]:
    """The periods in `cover` as runs of one grain: whole months, and the days before and after them."""
    runs: list[tuple[Grain, date, date]] = []
    for grain, start in cover:
        if runs and runs[-1][0] == grain:
            runs[-1] = (grain, runs[-1][1], start)
        else:
            runs.append((grain, start, start))
    return runs


def _covering(table, cover: Sequence[tuple[Grain, date]]):
    """The rows of the periods in `cover`: whole months and runs of days, each one range of the key."""
    runs = _runs(cover)
    return or_(*(and_(table.c.grain == constant(grain.value), table.c.start.between(first, last))
                 for grain, first, last in runs)) if runs else text("1 = 0")


def _all_rows(cover: Sequence[tuple[Grain, date]], *columns, partner_ids: Sequence[str] | None = None):
    """Every partner's (or these partners') `all` rows of the periods in `cover`, one range of an index a run: an
    OR of the runs makes SQLite, without statistics, walk the whole primary key instead."""
    table = insight_rollup
    chosen = [] if partner_ids is None else [table.c.partner_id.in_(partner_ids)]
    parts = [select(*columns).where(*chosen, table.c.dim == constant(Dim.ALL.value),
                                    table.c.grain == constant(grain.value), table.c.start.between(first, last))
             for grain, first, last in _runs(cover)]
    if not parts:
        parts = [select(*columns).where(text("1 = 0"))]
    return union_all(*parts).subquery()


def _scoped(query, table, partner_id: str | None, location_id: str | None):
    if partner_id is not None:
        query = query.where(of_partner(table, partner_id))
    if location_id is not None:
        query = query.where(table.c.location_id == location_id)
    return query


def _table(partner_id: str | None):
    return insight_program_rollup if partner_id is None else insight_rollup


def rollup(conn: Connection, partner_id: str | None, cover: Sequence[tuple[Grain, date]],
           location_id: str | None = None, dims: Sequence[Dim] | None = None) -> dict[tuple[Dim, str], Figures]:
    """The figures of the periods in `cover`, added up by dimension and key: one partner's, or the program's."""
    table = _table(partner_id)
    wanted = dims or [d for d in Dim if d not in DAY_ONLY]  # the waiting rows are read apart (`waiting`)
    where = [_covering(table, cover), table.c.dim.in_([constant(d.value) for d in wanted])]
    sums = [func.sum(table.c[name]).label(name) for name in (*COUNTS, "cents")]
    totals = _scoped(select(table.c.dim, table.c.key, *sums).where(*where), table, partner_id, location_id)
    found = {(Dim(r.dim), r.key): Figures([int(getattr(r, n)) for n in COUNTS], int(r.cents))
             for r in conn.execute(totals.group_by(table.c.dim, table.c.key))}
    blobs = _scoped(select(table.c.dim, table.c.key, table.c.histogram)
                    .where(*where, table.c.histogram.is_not(None)), table, partner_id, location_id)
    groups = list(found)
    index = {key: i for i, key in enumerate(groups)}
    rows = conn.execute(blobs).all()
    for i, histogram in _add_histograms([(index[(Dim(r.dim), r.key)], r.histogram) for r in rows], len(groups)):
        found[groups[i]].histogram = histogram
    return found


def _add_histograms(rows: Sequence[tuple[int, bytes]], groups: int) -> Iterator[tuple[int, dict[int, int]]]:
    """(group, histogram blob) rows added up per group, sparsely (a waiting histogram's buckets are seconds)."""
    if not rows:
        return
    sizes = np.fromiter((len(blob) // PAIR.itemsize for _, blob in rows), dtype=np.int64, count=len(rows))
    pairs = np.frombuffer(b"".join(blob for _, blob in rows), dtype=PAIR)
    owners = np.repeat(np.fromiter((g for g, _ in rows), dtype=np.int64, count=len(rows)), sizes)
    keys, where = np.unique((owners << 32) | pairs["bucket"].astype(np.int64), return_inverse=True)
    sums = np.bincount(where, weights=pairs["leads"]).astype(np.int64)
    owner_of, bucket_of = keys >> 32, keys & 0xFFFFFFFF
    cuts = np.flatnonzero(np.diff(owner_of)) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(keys)], strict=True):
        kept = sums[lo:hi] != 0
        yield int(owner_of[lo]), dict(zip(bucket_of[lo:hi][kept].tolist(), sums[lo:hi][kept].tolist(), strict=True))


def daily(conn: Connection, partner_id: str | None, first: date, last: date,
          location_id: str | None = None) -> list[tuple[date, Figures]]:
    """The `all` figures of each day in [first, last] that has any (the lead flow)."""
    table = _table(partner_id)
    sums = [func.sum(table.c[name]).label(name) for name in COUNTS]
    query = select(table.c.start, *sums).where(
        table.c.grain == constant(Grain.DAY.value), table.c.start.between(first, last),
        table.c.dim == constant(Dim.ALL.value))
    query = _scoped(query, table, partner_id, location_id).group_by(table.c.start)
    return [(r.start, Figures([int(getattr(r, n)) for n in COUNTS])) for r in conn.execute(query)]


def partner_counts(conn: Connection, cover: Sequence[tuple[Grain, date]], names: Sequence[str] = COUNTS
                   ) -> dict[str, Figures]:
    """Each partner's `all` counts over the periods in `cover` (partners without leads then are left out), read
    from the index alone. With `names`, only those counts are added up (the others stay 0): each sum is a cost of
    its own over a year of every partner's rows."""
    table = insight_rollup
    at = [COUNTS.index(name) for name in names]
    rows = _all_rows(cover, table.c.partner_id, *(table.c[name] for name in names))
    found: dict[str, Figures] = {}
    # by position, not by name: 2,000 partners x 10 counts of attribute lookups were a third of this read
    for r in conn.execute(select(rows.c.partner_id, *(func.sum(rows.c[name]) for name in names))
                          .group_by(rows.c.partner_id)):
        counts = [0] * len(COUNTS)
        for i, n in zip(at, r[1:], strict=True):
            counts[i] = int(n)
        found[r[0]] = Figures(counts)
    return found


def other_partners_with_leads(conn: Connection, cover: Sequence[tuple[Grain, date]], partner_id: str,
                              at_most: int) -> int:
    """How many partners other than this one received leads in the periods of `cover`, counted up to `at_most`
    (the scan stops there)."""
    rows = _all_rows(cover, insight_rollup.c.partner_id, insight_rollup.c.received)
    others = (select(rows.c.partner_id).where(rows.c.received > 0, rows.c.partner_id != partner_id)
              .distinct().limit(at_most).subquery())
    return conn.execute(select(func.count()).select_from(others)).scalar_one()


def partner_hours(conn: Connection, cover: Sequence[tuple[Grain, date]]) -> dict[str, dict[int, int]]:
    """Each partner's response-hours histogram over the periods in `cover`."""
    table = insight_rollup
    found = _all_rows(cover, table.c.partner_id, table.c.histogram)
    rows = conn.execute(select(found).where(found.c.histogram.is_not(None))).all()
    ids = sorted({r.partner_id for r in rows})
    index = {partner_id: i for i, partner_id in enumerate(ids)}
    return {ids[i]: histogram for i, histogram in _add_histograms([(index[r.partner_id], r.histogram)
                                                                   for r in rows], len(ids))}


def partner_figures(conn: Connection, cover: Sequence[tuple[Grain, date]], partner_ids: Sequence[str]
                    ) -> dict[str, Figures]:
    """These partners' `all` counts and response-hours histograms over the periods in `cover`, in one read of their
    rows (the few partners a page shows: their counts added up here rather than by the database)."""
    table = insight_rollup
    rows: list = []
    for chunk in _chunks(sorted(partner_ids), 400):
        found = _all_rows(cover, table.c.partner_id, table.c.histogram, *(table.c[name] for name in COUNTS),
                          partner_ids=chunk)
        rows += conn.execute(select(found)).all()
    figures: dict[str, Figures] = {}
    for row in rows:
        into = figures.get(row[0]) or figures.setdefault(row[0], Figures())
        into.counts = [a + b for a, b in zip(into.counts, row[2:], strict=True)]
    ids = sorted(figures)
    index = {partner_id: i for i, partner_id in enumerate(ids)}
    for i, histogram in _add_histograms([(index[r[0]], r[1]) for r in rows if r[1] is not None], len(ids)):
        figures[ids[i]].histogram = histogram
    return figures


def partner_list(conn: Connection) -> list[tuple[str, str, str]]:
    """Every partner's id, name and time zone, by name."""
    rows = conn.execute(select(partners.c.id, partners.c.name, partners.c.timezone)
                        .order_by(partners.c.name, partners.c.id))
    return [(row.id, row.name, row.timezone) for row in rows]


# -- the still-received leads of the last days ------------------------------------------------------------


def waiting(conn: Connection, partner_id: str | None, first: date, last: date,
            location_id: str | None = None) -> dict[int, int]:
    """The `waiting` histogram (arrival second -> still-received leads) of the days first..last."""
    table = _table(partner_id)
    query = _scoped(select(table.c.histogram).where(
        table.c.grain == constant(Grain.DAY.value), table.c.dim == constant(Dim.WAITING.value),
        table.c.start.between(first, last), table.c.histogram.is_not(None)), table, partner_id, location_id)
    found = list(_add_histograms([(0, blob) for blob in conn.execute(query).scalars()], 1))
    return found[0][1] if found else {}


def waiting_by_partner(conn: Connection, first: date, last: date, partner_ids: Sequence[str] | None = None
                       ) -> dict[str, dict[int, int]]:
    """Each partner's (or these partners') `waiting` histogram of the days first..last."""
    table = insight_rollup
    query = select(table.c.partner_id, table.c.histogram).where(
        table.c.grain == constant(Grain.DAY.value), table.c.dim == constant(Dim.WAITING.value),
        table.c.start.between(first, last), table.c.histogram.is_not(None))
    rows: list = []
    if partner_ids is None:
        rows = conn.execute(query).all()
    else:
        for chunk in _chunks(sorted(partner_ids), 400):
            rows += conn.execute(query.where(table.c.partner_id.in_(chunk))).all()
    ids = sorted({r.partner_id for r in rows})
    index = {partner_id: i for i, partner_id in enumerate(ids)}
    return {ids[i]: histogram for i, histogram in _add_histograms([(index[r.partner_id], r.histogram)
                                                                   for r in rows], len(ids))}
