"""The caller and their partner: who am I, my partner's users (to pick team members) and locations
(with the inbound keys Referrals admins give to marketplaces)."""

from fastapi import APIRouter

from referrals.services.partner import list_locations, list_users, rotate_location_key
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.schemas import InboundKeyPublic, LocationPublic, MePublic, UserPublic
from referrals.web.deps import CurrentUser, EngineDep, Now, PartnerMember, SettingsDep

router = APIRouter(tags=["people"], responses=AUTHED)


@router.get("/me", response_model=MePublic)
def me(principal: CurrentUser) -> MePublic:
    """The caller: id, email, partner and roles."""
    return MePublic(id=principal.user_id, email=principal.email, partner_id=principal.partner_id,
                    roles=sorted(r.value for r in principal.roles))


@router.get("/partner/users", response_model=list[UserPublic])
def partner_users(principal: PartnerMember, engine: EngineDep) -> list[UserPublic]:
    """The active users of the caller's partner."""
    return [UserPublic(id=u.id, email=u.email, name=u.name, roles=list(u.roles))
            for u in list_users(engine, principal)]


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
