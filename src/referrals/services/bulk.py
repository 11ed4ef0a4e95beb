"""Bulk actions: decline, heart, un-heart, assign or unassign many leads, each through the single action's guard in
its own transaction (services/bulk_steps.py). Up to `AT_ONCE` leads are acted on within the request; more, reached
by a filter, become a job: its leads are fixed when it is made (the list's leads for that filter, in its order), and
`run_job` works through them on the job queue, resumable after a crash from the first unprocessed lead."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.bulk import AT_ONCE, CHUNK, LEASE, MOST, BulkAction, BulkParams, distinct
from referrals.domain.errors import InvalidInput, NotFound
from referrals.domain.listing import LeadFilter, Sort
from referrals.services.auth import principal_for_user
from referrals.services.bulk_steps import apply, prepare_for
from referrals.store import bulk
from referrals.store.db import reading, writing
from referrals.store.ids import new_id


@dataclass(frozen=True)
class BulkItem:
    lead_id: str
    problem: dict | None  # None: done; else the single action's error (code, detail, fields)
    position: int = 0


@dataclass(frozen=True)
class BulkAnswer:
    items: list[BulkItem]

    @property
    def succeeded(self) -> int:
        return sum(1 for item in self.items if item.problem is None)

    @property
    def failed(self) -> int:
        return len(self.items) - self.succeeded


@dataclass(frozen=True)
class Queued:
    job_id: str
    total: int


@dataclass(frozen=True)
class JobView:
    id: str
    action: BulkAction
    status: str
    total: int
    processed: int
    succeeded: int
    failed: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    items: list[BulkItem]  # processed results after the asked position, in order
    next_after: int | None  # the position to ask after for the next page of results


def act_on_ids(engine: Engine, principal: Principal, action: BulkAction, params: BulkParams, ids: list[str], *,
               now: datetime) -> BulkAnswer:
    partner_id = principal.partner_scope(acting=action.acting)
    params.check(action)
    ids = distinct(ids)
    if len(ids) > AT_ONCE:
        raise InvalidInput(f"At most {AT_ONCE:,} ids at once; use a filter for more.",
                           fields={"ids": f"names more than {AT_ONCE:,} leads"})
    return _at_once(engine, principal, partner_id, action, params, ids, now)


def act_on_filter(engine: Engine, principal: Principal, action: BulkAction, params: BulkParams,
                  lead_filter: LeadFilter, sort: Sort, *, now: datetime) -> BulkAnswer | Queued:
    """Every lead the list shows for this filter: at once up to AT_ONCE, else as a job of at most MOST leads."""
    partner_id = principal.partner_scope(acting=action.acting)
    params.check(action)
    with reading(engine) as conn:
        ids = bulk.matching_ids(conn, partner_id, principal.user_id, lead_filter, sort, MOST + 1, now)
    if len(ids) > MOST:
        raise InvalidInput(f"The filter matches more than {MOST:,} leads, the most one bulk action takes; narrow it.",
                           fields={"filter": f"matches more than {MOST:,} leads"})
    if len(ids) <= AT_ONCE:
        return _at_once(engine, principal, partner_id, action, params, ids, now)
    job_id = new_id(int(now.timestamp() * 1000))
    query = {"filter": lead_filter.to_json(), "sort": sort.value}
    with writing(engine) as conn:
        bulk.create_job(conn, {"partner_id": partner_id, "id": job_id, "user_id": principal.user_id,
                               "action": action.value, "params": params.to_json(), "query": query,
                               "created_at": now}, ids)
    return Queued(job_id, len(ids))


def _at_once(engine: Engine, principal: Principal, partner_id: str, action: BulkAction, params: BulkParams,
             ids: list[str], now: datetime) -> BulkAnswer:
    prepare = prepare_for(action, principal, params, now)
    items: list[BulkItem] = []
    for start in range(0, len(ids), CHUNK):
        chunk = list(enumerate(ids[start : start + CHUNK], start))
        done = apply(engine, partner_id, chunk, prepare, claim=lambda _conn, _position, _problem: True)
        items.extend(BulkItem(lead_id, problem, position) for position, lead_id, problem in done)
    return BulkAnswer(items)


def run_job(engine: Engine, partner_id: str, job_id: str, *, clock: Callable[[], datetime]) -> bool:
    """Work through a job's unprocessed leads, a chunk at a time, holding its lease. Answers False when another run
    holds the job (or took it over). A lead's result is recorded in the transaction that acts on it, so a run that
    dies loses nothing: the next one starts at the first lead without a result, and none is acted on twice."""
    now = clock()
    held = now + LEASE
    with writing(engine) as conn:
        if not bulk.take(conn, partner_id, job_id, now, held):
            return False
        job = bulk.get_job(conn, partner_id, job_id)
        principal = principal_for_user(conn, job.user_id)  # type: ignore[union-attr]
    action, params = BulkAction(job.action), BulkParams.from_json(job.params)  # type: ignore[union-attr]

    def claim(conn: Any, position: int, problem: dict | None) -> bool:
        return bulk.record(conn, partner_id, job_id, position, problem)

    while True:
        with reading(engine) as conn:
            chunk = bulk.pending(conn, partner_id, job_id, CHUNK)
        if not chunk:
            break
        for _ in apply(engine, partner_id, chunk, prepare_for(action, principal, params, clock()), claim):
            pass
        renewed = clock() + LEASE
        with writing(engine) as conn:
            if not bulk.renew(conn, partner_id, job_id, held, renewed):
                return False  # our lease ran out and another run took the job over
        held = renewed
    with writing(engine) as conn:
        bulk.finish(conn, partner_id, job_id, clock())
    return True


def job_progress(engine: Engine, principal: Principal, job_id: str, *, after: int = -1,
                 limit: int = AT_ONCE) -> JobView:
    """A job of the caller's partner (another partner's is not found): its progress and a page of its results."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        job = bulk.get_job(conn, partner_id, job_id)
        if job is None:
            raise NotFound("No such bulk action.")
        rows = bulk.results(conn, partner_id, job_id, after, limit + 1)
    items = [BulkItem(row.lead_id, None if row.done else row.problem, row.position) for row in rows[:limit]]
    next_after = items[-1].position if len(rows) > limit else None
    return JobView(job.id, BulkAction(job.action), job.status, job.total, job.processed, job.succeeded, job.failed,
                   job.created_at, job.started_at, job.finished_at, items, next_after)


def companies(engine: Engine, principal: Principal, items: list[BulkItem]) -> dict[str, str]:
    """The customer company of each result's lead that is the caller's partner's (others' stay unnamed)."""
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        return bulk.companies(conn, partner_id, [item.lead_id for item in items])


def stalled_jobs(engine: Engine, *, now: datetime) -> list[tuple[str, str]]:
    """Unfinished jobs nobody is running: their run died (lease out), or no worker ever took them."""
    with reading(engine) as conn:
        return bulk.stalled(conn, now, now - LEASE)
