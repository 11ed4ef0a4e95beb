"""The outbox over HTTP, for program admins: every email with its state, so nothing queued is invisible even
without an SMTP server. Tagged "notifications" as it always was, so the published schema is unchanged."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from referrals.services.outbox import list_messages, retry_message
from referrals.web.api.common import AUTHED, problems
from referrals.web.deps import CurrentUser, EngineDep, Now

router = APIRouter(tags=["notifications"], responses=AUTHED)


class OutboxMessagePublic(BaseModel):
    id: str
    template: str
    recipient: str
    language: str
    status: Literal["pending", "sent", "failed"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None


@router.get("/outbox", response_model=list[OutboxMessagePublic])
def outbox(principal: CurrentUser, engine: EngineDep,
           status: Literal["pending", "sent", "failed"] | None = None,
           limit: int = Query(100, ge=1, le=500)) -> list[OutboxMessagePublic]:
    """Program admins: the emails in the outbox, newest first."""
    return [OutboxMessagePublic.model_validate(row._mapping, from_attributes=False)
            for row in list_messages(engine, principal, status=status, limit=limit)]


@router.post("/outbox/{message_id}/retry", status_code=204, responses=problems(404))
def outbox_retry(message_id: str, principal: CurrentUser, engine: EngineDep, now: Now) -> None:
    """Program admins: send a failed email again."""
    retry_message(engine, principal, message_id, now=now)
