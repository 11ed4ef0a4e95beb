"""Bulk actions' storage: the leads a filter reaches (through the list's own query), leads loaded a chunk at a
time, and jobs with one result row per lead (`done` null until that lead is processed), every statement scoped to
the job's partner."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, bindparam, exists, func, insert, or_, select, update

from referrals.domain.bulk import JobStatus
from referrals.domain.errors import Conflict, InvalidInput
from referrals.domain.history import HistoryEntry
from referrals.domain.lead import Lead
from referrals.domain.listing import LeadFilter, Sort
from referrals.store.leadrows import history_to_row, lifecycle_columns, row_to_lead
from referrals.store.listing import bind_scope, filtered, ordered
from referrals.store.scope import of_partner
from referrals.store.tables import bulk_jobs, bulk_results, lead_history, leads, users

_IN_CHUNK = 500  # ids in one IN (...): SQLite's row-value IN would scan, a plain one walks the primary key


def matching_ids(conn: Connection, partner_id: str, user_id: str, f: LeadFilter, sort: Sort, most: int,
                 now: datetime | None = None) -> list[str]:
    """The ids of the leads the list shows for this filter and sort, in its order, at most `most` of them: the list's
    own statement (store/listing.py), reading the id alone (the urgency sort's groups as they stand `now`)."""
    query = ordered(filtered(f), sort, now).with_only_columns(leads.c.id, maintain_column_froms=True).limit(most)
    return list(conn.execute(query, bind_scope(partner_id, user_id)).scalars())


def load_leads(conn: Connection, partner_id: str, ids: Sequence[str]) -> dict[str, Lead]:
    """The partner's leads among these ids, by id (another partner's id is simply not there)."""
    found: dict[str, Lead] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        rows = conn.execute(select(leads).where(of_partner(leads, partner_id),
                                                leads.c.id.in_(ids[start : start + _IN_CHUNK])))
        found.update((row.id, row_to_lead(row)) for row in rows)
    return found


def companies(conn: Connection, partner_id: str, ids: Sequence[str]) -> dict[str, str]:
    """Each lead's customer company (never withheld), to name the leads of a result."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        rows = conn.execute(select(leads.c.id, leads.c.customer_company).where(
            of_partner(leads, partner_id), leads.c.id.in_(ids[start : start + _IN_CHUNK])))
        found.update((row.id, row.customer_company) for row in rows)
    return found


# -- one lead's change, as store.leads.save_transition makes it -------------------------------------------

_SAVES: dict[tuple[str, ...], Any] = {}
_HISTORY = insert(lead_history)


def _save_statement(changed: tuple[str, ...], owner_active: bool):
    """The version-checked UPDATE of these columns, built once per set of columns (a decline always changes the same
    ones): building a thirty-column UPDATE for every lead cost more than running it. With `owner_active`, it also
    asks that the new owner be an active user of the lead's partner, in the same statement."""
    key = (changed, owner_active)
    if key not in _SAVES:
        statement = (
            update(leads)
            .where(leads.c.partner_id == bindparam("b_partner"), leads.c.id == bindparam("b_id"),
                   leads.c.version == bindparam("b_version"))
            .values({name: bindparam(f"v_{name}", type_=leads.c[name].type) for name in changed})
        )
        if owner_active:
            statement = statement.where(exists().where(of_partner(users, leads.c.partner_id),
                                                       users.c.id == bindparam("b_owner"), users.c.active.is_(True)))
        _SAVES[key] = statement
    return _SAVES[key]


def save_changes(conn: Connection, before: dict[str, Any], lead: Lead, entry: HistoryEntry, *,
                 owner_active: bool = False) -> None:
    """`store.leads.save_transition` for many leads: the lead's new state only if nobody changed it since it was
    loaded (else Conflict, with the same words), and its history row; writing only the columns the transition
    changed (`before`: `lifecycle_columns` of the lead as loaded), so an unchanged indexed column is not rewritten.
    `owner_active`: only if the lead's new owner is an active user of its partner (else InvalidInput naming
    `user_id`, as `ownership.assign_lead` answers), checked by the UPDATE itself: one round trip a lead less."""
    after = lifecycle_columns(lead)
    changed = tuple(name for name, value in after.items() if name == "version" or before.get(name) != value)
    params = {"b_partner": lead.partner_id, "b_id": lead.id, "b_version": entry.version - 1,
              **{f"v_{name}": after[name] for name in changed}}
    if owner_active:
        params["b_owner"] = lead.owner_id
    if conn.execute(_save_statement(changed, owner_active), params).rowcount != 1:
        if owner_active and not _active(conn, lead.partner_id, lead.owner_id):
            raise InvalidInput("The owner must be an active user of your partner.",
                               fields={"user_id": "is not an active user of your partner"})
        raise Conflict("This lead was changed by someone else in the meantime; reload it and try again.")
    conn.execute(_HISTORY, [history_to_row(entry)])


def _active(conn: Connection, partner_id: str, user_id: str | None) -> bool:
    return conn.execute(select(users.c.id).where(of_partner(users, partner_id), users.c.id == user_id,
                                                 users.c.active.is_(True))).first() is not None


@contextmanager
def writer(engine: Engine) -> Iterator[Connection]:
    """One connection for a chunk of small write transactions (`with conn.begin():` each, BEGIN IMMEDIATE on
    SQLite as `db.writing`), instead of taking it from the pool and handing it back for every lead.

    On PostgreSQL its commits do not wait for the disk (`synchronous_commit` off for this connection, about half a
    lead's time on a busy machine); leaving the block commits one transaction that does, and a synchronous commit
    flushes every record before its own: when the chunk's results are answered, or the job moves on, they are all on
    disk. A database crash before that loses whole leads only (change, history, email and job result commit
    together), which a job then acts on again from its first unprocessed lead. SQLite's WAL at synchronous=NORMAL
    never waits for the disk on commit."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        relax = conn.dialect.name == "postgresql"
        if relax:
            with conn.begin():
                conn.exec_driver_sql("SET synchronous_commit TO OFF")
        try:
            yield conn
        finally:
            if relax:
                if conn.in_transaction():
                    conn.rollback()
                with conn.begin():  # back to the default, and a commit that writes a record and waits for the disk
                    conn.exec_driver_sql("SET synchronous_commit TO DEFAULT")
                    conn.exec_driver_sql("SELECT pg_current_xact_id()")


# -- jobs ---------------------------------------------------------------------------------------------------


def create_job(conn: Connection, job: dict[str, Any], lead_ids: Sequence[str]) -> None:
    """The job row (partner_id, id, user_id, action, params, query, created_at) and a result row per lead."""
    conn.execute(insert(bulk_jobs), [{**job, "status": JobStatus.QUEUED.value, "total": len(lead_ids)}])
    rows = [{"partner_id": job["partner_id"], "job_id": job["id"], "position": n, "lead_id": lead_id}
            for n, lead_id in enumerate(lead_ids)]
    for start in range(0, len(rows), 5000):
        conn.execute(insert(bulk_results), rows[start : start + 5000])


def _job(partner_id: str, job_id: str) -> list:
    return [of_partner(bulk_jobs, partner_id), bulk_jobs.c.id == job_id]


def get_job(conn: Connection, partner_id: str, job_id: str) -> Row | None:
    return conn.execute(select(bulk_jobs).where(*_job(partner_id, job_id))).first()


def take(conn: Connection, partner_id: str, job_id: str, now: datetime, until: datetime) -> bool:
    """Hold an unfinished job whose lease is free (never taken, or run out: its worker died): one run at a time."""
    free = or_(bulk_jobs.c.lease_until.is_(None), bulk_jobs.c.lease_until < now)
    result = conn.execute(
        update(bulk_jobs).where(*_job(partner_id, job_id), bulk_jobs.c.status != JobStatus.DONE.value, free)
        .values(status=JobStatus.RUNNING.value, lease_until=until,
                started_at=func.coalesce(bulk_jobs.c.started_at, now))
    )
    return result.rowcount == 1


def renew(conn: Connection, partner_id: str, job_id: str, held: datetime, until: datetime) -> bool:
    """Extend our lease, only if it is still ours (the lease we set is still there)."""
    result = conn.execute(update(bulk_jobs).where(*_job(partner_id, job_id), bulk_jobs.c.lease_until == held)
                          .values(lease_until=until))
    return result.rowcount == 1


def finish(conn: Connection, partner_id: str, job_id: str, now: datetime) -> None:
    conn.execute(update(bulk_jobs).where(*_job(partner_id, job_id))
                 .values(status=JobStatus.DONE.value, finished_at=now, lease_until=None))


def pending(conn: Connection, partner_id: str, job_id: str, limit: int) -> list[tuple[int, str]]:
    """The next unprocessed (position, lead id) pairs, in order: a resumed run starts at the first of them."""
    rows = conn.execute(
        select(bulk_results.c.position, bulk_results.c.lead_id)
        .where(of_partner(bulk_results, partner_id), bulk_results.c.job_id == job_id, bulk_results.c.done.is_(None))
        .order_by(bulk_results.c.position).limit(limit)
    )
    return [(row.position, row.lead_id) for row in rows]


def record(conn: Connection, partner_id: str, job_id: str, position: int, problem: dict | None) -> bool:
    """Mark one lead processed (done, or failed with its problem) and count it, only if nobody did yet. Called in the
    transaction that acts on the lead, so the lead's change and its result commit together or not at all."""
    result = conn.execute(
        update(bulk_results)
        .where(of_partner(bulk_results, partner_id), bulk_results.c.job_id == job_id,
               bulk_results.c.position == position, bulk_results.c.done.is_(None))
        .values(done=problem is None, problem=problem)
    )
    if result.rowcount != 1:
        return False
    ok = 1 if problem is None else 0
    conn.execute(update(bulk_jobs).where(*_job(partner_id, job_id)).values(
        processed=bulk_jobs.c.processed + 1, succeeded=bulk_jobs.c.succeeded + ok,
        failed=bulk_jobs.c.failed + (1 - ok)))
    return True


def results(conn: Connection, partner_id: str, job_id: str, after: int, limit: int) -> list[Row]:
    """Processed results after a position, in order: (position, lead_id, done, problem)."""
    return list(conn.execute(
        select(bulk_results.c.position, bulk_results.c.lead_id, bulk_results.c.done, bulk_results.c.problem)
        .where(of_partner(bulk_results, partner_id), bulk_results.c.job_id == job_id,
               bulk_results.c.position > after, bulk_results.c.done.is_not(None))
        .order_by(bulk_results.c.position).limit(limit)
    ))


def stalled(conn: Connection, now: datetime, queued_before: datetime) -> list[tuple[str, str]]:
    """(partner_id, job_id) of unfinished jobs nobody holds: a run that died (lease run out), or a job queued a
    while ago that no worker took (its enqueueing was lost)."""
    rows = conn.execute(select(bulk_jobs.c.partner_id, bulk_jobs.c.id).where(
        bulk_jobs.c.status != JobStatus.DONE.value,
        or_(bulk_jobs.c.lease_until < now,
            and_(bulk_jobs.c.lease_until.is_(None), bulk_jobs.c.created_at < queued_before)),
    ))
    return [(row.partner_id, row.id) for row in rows]
