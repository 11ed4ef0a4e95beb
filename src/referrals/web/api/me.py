"""The caller and their own settings: language, notification address, how new-lead emails arrive."""

from fastapi import APIRouter

from referrals.services.me import my_settings, update_my_settings
from referrals.web.api.common import AUTHED
from referrals.web.api.schemas_team import MePublic, UpdateMe
from referrals.web.deps import CurrentUser, EngineDep

router = APIRouter(tags=["people"], responses=AUTHED)


@router.get("/me", response_model=MePublic)
def me(principal: CurrentUser, engine: EngineDep) -> MePublic:
    """The caller: id, email, name, partner, roles and their own settings."""
    return MePublic.of(my_settings(engine, principal))


@router.patch("/me", response_model=MePublic)
def update_me(body: UpdateMe, principal: CurrentUser, engine: EngineDep) -> MePublic:
    """Change any of `language` (null: follow the browser), `notification_email` (null: the sign-in address) and
    `new_lead_emails`; fields left out stay as they are."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    return MePublic.of(update_my_settings(engine, principal, changes))
