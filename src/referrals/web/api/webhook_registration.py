"""The vendor-compatible webhook registration, at the vendor's path `/webhooks/v1/registration` (outside /api/v1),
with the same bearer tokens: one registration per partner, by a Referrals admin. Our extension: the answer to a
registration carries `Secret`, which signs each notice the Standard Webhooks way (the vendor signs with a
certificate). docs/integrations.md lists every difference."""

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from referrals.domain.webhooks import COMPAT_EVENTS, MAX_URL
from referrals.services import webhook_registration as service
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.schemas_in import Text
from referrals.web.deps import CurrentUser, EngineDep, Now, SettingsDep

router = APIRouter(prefix="/webhooks/v1/registration", tags=["compatible webhooks"], responses=AUTHED)
ONE = problems(404)


class WebhookRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    WebhookUrl: Text = Field(max_length=MAX_URL, examples=["https://crm.example.com/referrals/events"])
    WebhookEvents: list[str] = Field(min_length=1, max_length=2, examples=[list(COMPAT_EVENTS)])


class RegistrationPublic(BaseModel):
    WebhookUrl: str
    WebhookEvents: list[str]


class RegistrationWithSecret(RegistrationPublic):
    Secret: str = Field(description="Our extension: `whsec_...`, signs every notice (shown this once)")


def _public(row: Any) -> dict[str, Any]:
    return {"WebhookUrl": row.url, "WebhookEvents": list(row.events)}


@router.post("", response_model=RegistrationWithSecret, status_code=201)
def register(body: WebhookRegistration, principal: CurrentUser, engine: EngineDep, now: Now,
             settings: SettingsDep) -> RegistrationWithSecret:
    """Register your partner's endpoint (replacing the one it had) for `referral-created` and/or
    `referral-updated`."""
    row, secret = service.register(engine, principal, body.WebhookUrl, body.WebhookEvents, now=now,
                                   allow_hosts=settings.webhook_allow_list)
    return RegistrationWithSecret(**_public(row), Secret=secret)


@router.get("", response_model=RegistrationPublic, responses=ONE)
def get_registration(principal: CurrentUser, engine: EngineDep) -> RegistrationPublic:
    return RegistrationPublic(**_public(service.registration(engine, principal)))


@router.delete("", status_code=204, responses=ONE)
def delete_registration(principal: CurrentUser, engine: EngineDep) -> Response:
    service.unregister(engine, principal)
    return Response(status_code=204)
