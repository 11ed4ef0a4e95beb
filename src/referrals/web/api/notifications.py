"""The action center over HTTP (recommended actions with per-user read marks) and, for program admins,
the outbox: every email with its state, so nothing queued is invisible even without an SMTP server."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from referrals.domain.enums import Urgency
from referrals.domain.lead import visible_customer
from referrals.services.notification_center import action_items, mark_read, unread_count
from referrals.services.outbox import list_messages, retry_message
from referrals.web.api.common import AUTHED, problems
from referrals.web.deps import CurrentUser, EngineDep, LeadAdmin, Now

router = APIRouter(tags=["notifications"], responses=AUTHED)


class ActionItemPublic(BaseModel):
    lead_id: str
    company: str
    kind: str = Field(description="offer, profile, marketing or sales")
    urgency: Urgency | None
    created_at: datetime
    response_due_at: datetime | None
    read: bool


class NotificationsPublic(BaseModel):
    unread: int
    items: list[ActionItemPublic]


class MarkRead(BaseModel):
    lead_ids: list[str] | None = Field(default=None, max_length=200,
                                       description="The actions to mark read; omit to mark them all")


class UnreadPublic(BaseModel):
    unread: int


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


@router.get("/notifications", response_model=NotificationsPublic)
def notifications(principal: LeadAdmin, engine: EngineDep, now: Now,
                  limit: int = Query(50, ge=1, le=200)) -> NotificationsPublic:
    """Recommended actions: the leads that wait for an answer, closest deadline first, and the unread count."""
    items = [
        ActionItemPublic(
            lead_id=item.lead.id, company=visible_customer(item.lead).company or "",
            kind=item.lead.origin.type.value if item.lead.origin.type else item.lead.origin.qualification.value,
            urgency=item.lead.urgency(now), created_at=item.lead.created_at,
            response_due_at=item.lead.response_due_at, read=item.read,
        )
        for item in action_items(engine, principal, limit=limit)
    ]
    return NotificationsPublic(unread=unread_count(engine, principal), items=items)


@router.post("/notifications/read", response_model=UnreadPublic)
def notifications_read(body: MarkRead, principal: LeadAdmin, engine: EngineDep, now: Now) -> UnreadPublic:
    """Mark recommended actions read for the caller (others keep their own marks)."""
    return UnreadPublic(unread=mark_read(engine, principal, body.lead_ids, now=now))


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
