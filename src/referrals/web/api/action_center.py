"""The action center over HTTP: recommended actions with per-user read marks. The paths and the OpenAPI tag
keep their first name, "notifications", so clients and the published schema stay as they were."""

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from referrals.domain.enums import Urgency
from referrals.domain.lead import visible_customer
from referrals.services.action_center import action_items, mark_read, tally
from referrals.web.api.common import AUTHED
from referrals.web.deps import EngineDep, LeadAdmin, Now

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
    unread: int = Field(description="How many of the waiting leads the caller has not opened (the bell's number)")
    waiting: int = Field(description="How many leads wait for an answer, read or not")
    items: list[ActionItemPublic]


class MarkRead(BaseModel):
    lead_ids: list[str] | None = Field(default=None, max_length=200,
                                       description="The actions to mark read; omit to mark them all")


class UnreadPublic(BaseModel):
    unread: int


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
    counted = tally(engine, principal)
    return NotificationsPublic(unread=counted.unread, waiting=counted.waiting, items=items)


@router.post("/notifications/read", response_model=UnreadPublic)
def notifications_read(body: MarkRead, principal: LeadAdmin, engine: EngineDep, now: Now) -> UnreadPublic:
    """Mark recommended actions read for the caller (others keep their own marks)."""
    return UnreadPublic(unread=mark_read(engine, principal, body.lead_ids, now=now))
