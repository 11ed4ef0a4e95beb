"""POST /inbound/marketplace/{inbound_key}: the marketplace lead-destination payload, as marketplaces
send it. No token: the unguessable key names the partner location. Rate-limited per key."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from starlette.concurrency import run_in_threadpool

from referrals.services.inbound import receive_marketplace
from referrals.web.api.common import problems
from referrals.web.api.schemas import InboundReceipt
from referrals.web.api.schemas_in import MarketplacePayload
from referrals.web.deps import EngineDep, Now
from referrals.web.errors import RateLimited

router = APIRouter(prefix="/inbound", tags=["inbound"], responses=problems(400, 404, 413, 422, 429))
InboundKey = Annotated[str, Path(max_length=200, description="The location's inbound key")]


def _rate_limit(request: Request, inbound_key: InboundKey) -> None:
    wait = request.app.state.inbound_limiter.take(inbound_key)
    if wait:
        raise RateLimited("Too many leads for this endpoint; slow down.", retry_after=max(1, round(wait)))


@router.post(
    "/marketplace/{inbound_key}",
    status_code=status.HTTP_201_CREATED,
    response_model=InboundReceipt,
    dependencies=[Depends(_rate_limit)],
    responses={200: {"model": InboundReceipt, "description": "The same payload arrived within 24 hours"}},
)
async def marketplace_lead(
    inbound_key: InboundKey, payload: MarketplacePayload, request: Request, engine: EngineDep, now: Now,
    response: Response,
) -> InboundReceipt:
    """A marketplace lead; 201 when new, 200 when the same payload was received in the last 24 hours."""
    del payload  # validated for the documentation; the raw JSON is what gets mapped and kept
    raw = await request.json()
    result = await run_in_threadpool(receive_marketplace, engine, inbound_key, raw, now=now)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return InboundReceipt(lead_id=result.lead.id, created=result.created, is_test=result.lead.is_test)

