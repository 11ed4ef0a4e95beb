"""CSV imports: leads (program admins and sellers), with a template, and outcome updates from a CRM (Referrals
admins). The body is the CSV itself (`text/csv`), streamed to a temporary file (in memory up to 1 MB, then on
disk) under its own size limit, `REFERRALS_MAX_IMPORT_BYTES`, and read a row at a time by the service."""

import io
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TextIO

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from referrals.config import Settings
from referrals.domain.lead_import import template
from referrals.services import lead_import, outcome_import
from referrals.web.api.common import problems
from referrals.web.deps import EngineDep, LeadAdmin, Now, ProgramStaff
from referrals.web.errors import problem

router = APIRouter(prefix="/leads", tags=["imports"], responses=problems(401, 403, 413, 422))

CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")
IN_MEMORY = 1_000_000  # bytes of an upload kept in memory before it goes to a temporary file
CSV_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "description": "The CSV file, UTF-8 (a byte-order mark is fine)"}}}}}
IMPORT_PATHS = ("/api/v1/leads/import", "/api/v1/leads/outcomes")


def import_limits(settings: Settings, paths: tuple[str, ...] = IMPORT_PATHS) -> dict[str, tuple[int, str]]:
    """The imports' own body limit, for web/bodylimit.py."""
    limit = settings.max_import_bytes
    message = (f"The file is larger than the import limit of {limit:,} bytes (REFERRALS_MAX_IMPORT_BYTES); "
               "split it into smaller files.")
    return dict.fromkeys(paths, (limit, message))


class ImportErrorPublic(BaseModel):
    row: int = Field(description="The data row, counted from 1 after the header; 0 is the header")
    column: str | None = Field(description="The column to blame; null for the row as a whole")
    message: str


class ImportReportPublic(BaseModel):
    rows: int = Field(description="Data rows read")
    created: int = Field(description="Leads created (with dry_run: that would be)")
    existing: int = Field(description="Rows whose ExternalId names a lead that already exists: nothing changed")
    errors: list[ImportErrorPublic] = Field(description="Each error (at most 10,000 listed); its row created nothing")
    error_count: int
    refused: bool = Field(description="all_or_nothing and errors were found: nothing was imported")


class OutcomeReportPublic(BaseModel):
    rows: int
    updated: int = Field(description="Leads closed or whose deal changed (with dry_run: that would be)")
    unchanged: int = Field(description="Rows the lead already matches: nothing changed")
    errors: list[ImportErrorPublic]
    error_count: int


def text_stream(binary: Any) -> TextIO:
    """The upload as text for the csv module: UTF-8 with or without a byte-order mark; bytes that are not UTF-8
    become lone surrogates, which the input policy refuses in the cell that holds them."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


@asynccontextmanager
async def uploaded(request: Request) -> AsyncIterator[TextIO]:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type not in CSV_TYPES:
        raise UnsupportedCsv(content_type or "none")
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY) as spool:
        async for chunk in request.stream():  # web/bodylimit.py counts the chunks against the import limit
            spool.write(chunk)
        spool.seek(0)
        yield text_stream(spool)


class UnsupportedCsv(Exception):
    def __init__(self, content_type: str):
        self.content_type = content_type


def unsupported(_request: Request, exc: UnsupportedCsv) -> JSONResponse:
    return problem(415, "unsupported_media_type", f"Send the file as the body with Content-Type: text/csv, not "
                   f"{exc.content_type}.", fields={"body": "must be text/csv"})


DryRun = Annotated[bool, Query(description="Check every row and report; create nothing")]


@router.post("/import", response_model=ImportReportPublic, openapi_extra=CSV_BODY)
async def import_leads(request: Request, principal: ProgramStaff, engine: EngineDep, now: Now,
                       dry_run: DryRun = False,
                       all_or_nothing: Annotated[bool, Query(description="Any error refuses the whole file")] = False,
                       ) -> ImportReportPublic:
    """A CSV of leads (columns as in `/leads/import/template.csv`), each row through the rules of `POST /leads`;
    a row with an error creates nothing, the others go in. Idempotent by `ExternalId`."""
    async with uploaded(request) as stream:
        report = await run_in_threadpool(lambda: lead_import.import_leads(
            engine, principal, stream, now=now, dry_run=dry_run, all_or_nothing=all_or_nothing))
    return ImportReportPublic.model_validate(report.as_dict())


@router.get("/import/template.csv", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "The header row of an import file"}})
async def import_template(principal: ProgramStaff) -> PlainTextResponse:
    """The columns of a lead import, as the header of an empty CSV file."""
    return PlainTextResponse(template(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="leads-import.csv"'})


@router.post("/outcomes", response_model=OutcomeReportPublic, openapi_extra=CSV_BODY)
async def import_outcomes(request: Request, principal: LeadAdmin, engine: EngineDep, now: Now,
                          dry_run: DryRun = False) -> OutcomeReportPublic:
    """A CRM's outcomes: `LeadId` (or `ExternalId`), `Outcome` (won, lost), `ClosingReason`, `DealValue`,
    `DealCurrency`, `Notes`; each row through the lead's own guard (close, edit the deal), on your partner's
    leads only."""
    async with uploaded(request) as stream:
        report = await run_in_threadpool(lambda: outcome_import.import_outcomes(
            engine, principal, stream, now=now, dry_run=dry_run))
    return OutcomeReportPublic.model_validate(report.as_dict())
