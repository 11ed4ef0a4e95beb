"""Personal data over HTTP, for program admins (everyone else: 403): erase a person, preview it, read the record
of erasures, and export what is held about a person. The address travels in the body, never in a URL, so it stays
out of access logs. docs/privacy.md."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from referrals.services.privacy import erase_person, list_erasures, preview_erasure
from referrals.services.privacy_export import export_person
from referrals.web.api.common import AUTHED
from referrals.web.api.schemas_in import Strict, Text
from referrals.web.deps import CurrentUser, EngineDep, Now

router = APIRouter(prefix="/privacy", tags=["privacy"], responses=AUTHED)


class ErasePerson(Strict):
    email: Text = Field(min_length=3, max_length=320, examples=["giulia.rossi@fabrikam.it"])
    dry_run: bool = Field(False, description="Count what would be erased, change nothing, record nothing.")


class ErasurePublic(BaseModel):
    id: str | None = Field(description="The erasure's record; null for a dry run.")
    dry_run: bool
    counts: dict[str, int] = Field(description="Rows changed, by kind (leads, history, emails, ...).")


class ErasureRecordPublic(BaseModel):
    id: str
    at: datetime
    by: str
    kind: str
    counts: dict[str, int]


class ExportPerson(Strict):
    email: Text = Field(min_length=3, max_length=320, examples=["giulia.rossi@fabrikam.it"])


@router.post("/erasures", response_model=ErasurePublic, status_code=201,
             responses={200: {"description": "A dry run: what would be erased", "model": ErasurePublic}})
def erase(body: ErasePerson, principal: CurrentUser, engine: EngineDep, now: Now,
          response: Response) -> ErasurePublic:
    """Program admins: erase a customer's personal data from every lead at this address, across partners, and
    from the history, emails, digests and webhook deliveries about them. Running it twice is harmless."""
    if body.dry_run:
        response.status_code = 200
        return ErasurePublic(id=None, dry_run=True, counts=preview_erasure(engine, principal, body.email, now=now))
    done = erase_person(engine, principal, body.email, now=now)
    return ErasurePublic(id=done.id, dry_run=False, counts=done.counts)


@router.get("/erasures", response_model=list[ErasureRecordPublic])
def erasures(principal: CurrentUser, engine: EngineDep,
             limit: int = Query(100, ge=1, le=500)) -> list[dict[str, Any]]:
    """Program admins: the record of erasures, newest first (when, by whom, counts; never the address)."""
    return list_erasures(engine, principal, limit=limit)


@router.post("/exports")
def export(body: ExportPerson, principal: CurrentUser, engine: EngineDep, now: Now) -> dict[str, Any]:
    """Program admins: everything held about the person at this address, across partners, as one JSON document."""
    return export_person(engine, principal, body.email, now=now)
