"""Bulk actions on leads: by ids (at most 1,000, answered at once) or by a list query (the list's leads for that
filter: up to 1,000 answered at once, more as a job, at most 100,000), with a result per lead."""

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from referrals.domain.bulk import AT_ONCE, MOST, BulkAction, BulkParams
from referrals.domain.enums import Reason
from referrals.domain.errors import InvalidInput
from referrals.services import bulk
from referrals.web.api.common import problems
from referrals.web.api.filters import LeadQuery, to_filter
from referrals.web.api.schemas import Problem
from referrals.web.api.schemas_in import MultilineText, Strict, Text, text
from referrals.web.deps import EngineDep, LeadReader, Now
from referrals.web.errors import PROBLEM_TYPE, STATUS

log = logging.getLogger("referrals.bulk")
router = APIRouter(prefix="/leads/bulk", tags=["bulk actions"], responses=problems(400, 401, 403, 413, 422))


class BulkActionParams(Strict):
    reason: Reason | None = Field(default=None, description="decline: the reason (required)")
    notes: MultilineText | None = text(4000, default=None, description="decline: the notes (required)")
    user_id: Text | None = text(64, default=None, description="assign: the new owner, an active user of your partner")


class BulkActionRequest(Strict):
    action: BulkAction = Field(description="decline, assign and unassign need a Referrals admin; favorite and "
                                           "unfavorite (your own hearts) any user of the partner")
    ids: list[Annotated[Text, Field(max_length=64)]] | None = Field(
        default=None, min_length=1, max_length=AT_ONCE, description=f"The leads, at most {AT_ONCE:,}; or `filter`")
    filter: LeadQuery | None = Field(  # type: ignore[valid-type]
        default=None, description=f"A list query: every lead the list shows for it (at most {MOST:,}); or `ids`")
    params: BulkActionParams = Field(default_factory=BulkActionParams)


class BulkItemPublic(BaseModel):
    id: str
    result: Literal["done", "failed"]
    problem: Problem | None = Field(description="What the single action would have answered for this lead")


class BulkResultPublic(BaseModel):
    succeeded: int
    failed: int
    results: list[BulkItemPublic]


class BulkJobStarted(BaseModel):
    job_id: str
    total: int = Field(description="The leads the job will act on")


class BulkJobPublic(BaseModel):
    job_id: str
    action: BulkAction
    status: Literal["queued", "running", "done"]
    total: int
    processed: int
    succeeded: int
    failed: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    results: list[BulkItemPublic] = Field(description="Processed leads after `after`, in order, one page")
    next_after: int | None = Field(description="Pass as `after` for the next page of results; null: no more yet")


def start_job(request: Request, partner_id: str, job_id: str) -> None:
    """Hand a stored job to the job queue (`referrals serve` installs it; without one, or if it fails, the
    `resume_bulk_jobs` job starts it within a few minutes: the job is already stored)."""
    start = getattr(request.app.state, "start_bulk_job", None)
    if start is None:
        return
    try:
        start(partner_id, job_id)
    except Exception:  # noqa: BLE001 - the queue being down must not lose the answer: the job is stored
        log.exception("bulk job %s: could not queue it; the periodic resume will", job_id)


def _problem(shape: dict) -> Problem:
    code = shape["code"]
    return Problem(type=PROBLEM_TYPE + code, title=code.replace("_", " ").capitalize(),
                   status=STATUS.get(code, 400), code=code, detail=shape["detail"], fields=shape.get("fields") or {})


def _items(items: list[bulk.BulkItem]) -> list[BulkItemPublic]:
    return [BulkItemPublic(id=item.lead_id, result="done" if item.problem is None else "failed",
                           problem=None if item.problem is None else _problem(item.problem)) for item in items]


def _iso(moment) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@router.post("", response_model=BulkResultPublic, responses={
    202: {"model": BulkJobStarted, "description": "More than 1,000 leads: a job; follow it at /leads/bulk/{job_id}"}})
def act_in_bulk(body: BulkActionRequest, principal: LeadReader, engine: EngineDep, now: Now,
                request: Request) -> BulkResultPublic | JSONResponse:
    """One action on many leads, each judged on its own: one that cannot be acted on fails alone."""
    if (body.ids is None) == (body.filter is None):
        raise InvalidInput("Give either `ids` or `filter`.", fields={"ids": "give either ids or filter"})
    params = BulkParams(body.params.reason, body.params.notes or "", body.params.user_id)
    if body.ids is not None:
        answer = bulk.act_on_ids(engine, principal, body.action, params, body.ids, now=now)
    else:
        answer = bulk.act_on_filter(engine, principal, body.action, params, to_filter(body.filter),
                                    body.filter.sort, now=now)
    if isinstance(answer, bulk.Queued):
        start_job(request, principal.partner_id, answer.job_id)  # type: ignore[arg-type]
        return JSONResponse(BulkJobStarted(job_id=answer.job_id, total=answer.total).model_dump(),
                            status_code=status.HTTP_202_ACCEPTED)
    return BulkResultPublic(succeeded=answer.succeeded, failed=answer.failed, results=_items(answer.items))


@router.get("/{job_id}", response_model=BulkJobPublic, responses=problems(404))
def bulk_job(job_id: str, principal: LeadReader, engine: EngineDep,
             after: Annotated[int, Query(ge=-1, description="Results after this position (-1: from the first)")] = -1,
             limit: Annotated[int, Query(ge=1, le=AT_ONCE, description="Results a page")] = AT_ONCE) -> BulkJobPublic:
    """A bulk job's progress and, page by page, its results (each lead once processed)."""
    job = bulk.job_progress(engine, principal, job_id, after=after, limit=limit)
    return BulkJobPublic(
        job_id=job.id, action=job.action, status=job.status, total=job.total, processed=job.processed,  # type: ignore[arg-type]
        succeeded=job.succeeded, failed=job.failed, created_at=_iso(job.created_at),  # type: ignore[arg-type]
        started_at=_iso(job.started_at), finished_at=_iso(job.finished_at), results=_items(job.items),
        next_after=job.next_after)
