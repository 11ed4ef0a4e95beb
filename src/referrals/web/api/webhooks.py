"""Webhooks: a partner's Referrals admins register endpoints for their partner's leads, the program's admins for
every lead (`partner_ids` limits one to some partners). Requests are signed the Standard Webhooks way; the secret is
answered once, at creation and rotation. Another owner's webhook is 404."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from referrals.domain.webhooks import ALL, LEAD_EVENTS, MAX_DESCRIPTION, MAX_URL
from referrals.services import webhooks
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.schemas_in import Strict, Text
from referrals.web.deps import CurrentUser, EngineDep, Now, SettingsDep

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=AUTHED)
ONE = problems(404)


class CreateWebhook(Strict):
    url: Text = Field(max_length=MAX_URL, examples=["https://crm.example.com/hooks/referrals"],
                     description="https:// only, to a public address")
    events: list[str] = Field(min_length=1, max_length=10, examples=[["lead.created", "lead.accepted"]],
                              description=f"Some of {', '.join(LEAD_EVENTS)}, or {ALL!r} for all")
    description: Text = Field(default="", max_length=MAX_DESCRIPTION)
    partner_ids: list[str] | None = Field(default=None, max_length=1000,
                                          description="Program admins only: only these partners' leads")


class WebhookPublic(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool = Field(description="False once disabled after three days of failures")
    created_at: datetime
    description: str
    partner_ids: list[str] | None
    kind: str = Field(description="`standard`, or `compat` for the /webhooks/v1/registration endpoint")
    disabled_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> "WebhookPublic":
        return cls(id=row.id, url=row.url, events=list(row.events), active=row.active, created_at=row.created_at,
                   description=row.description, partner_ids=row.partner_ids, kind=row.kind,
                   disabled_at=row.disabled_at)


class WebhookWithSecret(WebhookPublic):
    secret: str = Field(description="`whsec_` and the base64 key: shown this once", examples=["whsec_..."])


class WebhooksPublic(BaseModel):
    items: list[WebhookPublic]


class DeliveryPublic(BaseModel):
    id: str = Field(description="The `webhook-id` header: the same on every attempt")
    event: str
    attempts: int
    status_code: int | None = Field(description="The last answer's status; null without an answer")
    ok: bool
    status: str = Field(description="pending, delivered or failed (given up after a day)")
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="null once delivered or given up")
    last_error: str | None


class DeliveriesPublic(BaseModel):
    items: list[DeliveryPublic]


class Queued(BaseModel):
    delivery_id: str


def delivery_public(row: Any) -> DeliveryPublic:
    return DeliveryPublic(id=row.id, event=row.event, attempts=row.attempts, status_code=row.status_code,
                          ok=row.status == "delivered", status=row.status, created_at=row.created_at,
                          last_attempt_at=row.last_attempt_at,
                          next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
                          last_error=row.last_error)


@router.post("", response_model=WebhookWithSecret, status_code=201)
def create_webhook(body: CreateWebhook, principal: CurrentUser, engine: EngineDep, now: Now,
                   settings: SettingsDep) -> WebhookWithSecret:
    """Register an endpoint. A URL that is not https, or whose host is a private, loopback, link-local or multicast
    address, is refused with 422 naming the reason."""
    row, secret = webhooks.create_webhook(engine, principal, body.url, body.events, now=now,
                                          allow_hosts=settings.webhook_allow_list, description=body.description,
                                          partner_ids=body.partner_ids)
    return WebhookWithSecret(**WebhookPublic.of(row).model_dump(), secret=secret)


@router.get("", response_model=WebhooksPublic)
def list_webhooks(principal: CurrentUser, engine: EngineDep) -> WebhooksPublic:
    """Your webhooks (your partner's, or the program's for a program admin), without their secrets."""
    return WebhooksPublic(items=[WebhookPublic.of(r) for r in webhooks.list_webhooks(engine, principal)])


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=ONE)
def get_webhook(webhook_id: str, principal: CurrentUser, engine: EngineDep) -> WebhookPublic:
    return WebhookPublic.of(webhooks.get_webhook(engine, principal, webhook_id))


@router.delete("/{webhook_id}", status_code=204, responses=ONE)
def delete_webhook(webhook_id: str, principal: CurrentUser, engine: EngineDep) -> Response:
    """Delete it with its delivery log; what is still pending is not sent."""
    webhooks.delete_webhook(engine, principal, webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/test", response_model=Queued, status_code=202, responses=ONE)
def send_test(webhook_id: str, principal: CurrentUser, engine: EngineDep, now: Now) -> Queued:
    """Queue a `webhook.test` event for this endpoint."""
    return Queued(delivery_id=webhooks.send_test(engine, principal, webhook_id, now=now))


@router.post("/{webhook_id}/rotate-secret", response_model=WebhookWithSecret, responses=ONE)
def rotate_secret(webhook_id: str, principal: CurrentUser, engine: EngineDep, now: Now) -> WebhookWithSecret:
    """A new secret (shown this once); for 24 hours the previous one signs too (two `v1,` signatures)."""
    row, secret = webhooks.rotate_secret(engine, principal, webhook_id, now=now)
    return WebhookWithSecret(**WebhookPublic.of(row).model_dump(), secret=secret)


@router.get("/{webhook_id}/deliveries", response_model=DeliveriesPublic, responses=ONE)
def list_deliveries(webhook_id: str, principal: CurrentUser, engine: EngineDep) -> DeliveriesPublic:
    """The latest 100 deliveries, newest first."""
    return DeliveriesPublic(items=[delivery_public(r) for r in webhooks.list_deliveries(engine, principal, webhook_id)])


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=Queued, status_code=202,
             responses=ONE)
def redeliver(webhook_id: str, delivery_id: str, principal: CurrentUser, engine: EngineDep, now: Now) -> Queued:
    """Send a delivery again now, with the same `webhook-id` and body."""
    webhooks.redeliver(engine, principal, webhook_id, delivery_id, now=now)
    return Queued(delivery_id=delivery_id)
