"""The caller's partner: its locations (with the inbound keys Referrals admins give to marketplaces). Who am I is
web/api/me.py; the partner's users, web/api/team.py."""

from fastapi import APIRouter

from referrals.services.partner import list_locations, rotate_location_key
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.schemas import InboundKeyPublic, LocationPublic
from referrals.web.deps import EngineDep, Now, PartnerMember, SettingsDep

router = APIRouter(tags=["people"], responses=AUTHED)


@router.get("/partner/locations", response_model=list[LocationPublic])
def partner_locations(principal: PartnerMember, engine: EngineDep) -> list[LocationPublic]:
    """The partner's locations; Referrals admins also see when each live inbound key was issued."""
    return [LocationPublic(**loc._asdict()) for loc in list_locations(engine, principal)]


@router.post("/partner/locations/{location_id}/inbound-key", response_model=InboundKeyPublic,
             responses=problems(404))
def new_inbound_key(location_id: str, principal: PartnerMember, engine: EngineDep, now: Now,
                    settings: SettingsDep) -> InboundKeyPublic:
    """Issue a fresh inbound key for the location (shown once); the previous key stops working."""
    key = rotate_location_key(engine, principal, location_id, now=now)
    url = f"{settings.base_url.rstrip('/')}/inbound/marketplace/{key}"
    return InboundKeyPublic(location_id=location_id, inbound_key=key, inbound_url=url)
