"""A partner's team, managed by its admins: the users (with roles, whether active, last sign-in), invitations
(send, list, send again, revoke), role changes, deactivation and reactivation; and the partner's preferred
notification address. Another partner's user or invitation is 404, like an unknown id."""

from fastapi import APIRouter, Response

from referrals.services import invitations, me, team
from referrals.services.invitations import Sender
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.schemas_team import (
    ChangeRoles,
    InvitationPublic,
    InviteUser,
    PartnerSettingsPublic,
    TeamMemberPublic,
    UpdatePartnerSettings,
)
from referrals.web.deps import CurrentUser, EngineDep, Now, PartnerMember, SettingsDep

router = APIRouter(tags=["team"], responses=AUTHED)
ONE = problems(404)
CHANGE = problems(404, 409)


def _sender(principal: CurrentUser, settings: SettingsDep) -> Sender:
    return Sender(principal, principal.language or "en", settings.base_url)


@router.get("/partner/users", response_model=list[TeamMemberPublic])
def partner_users(principal: PartnerMember, engine: EngineDep) -> list[TeamMemberPublic]:
    """Every user of the caller's partner, active ones first: roles, whether active, the last sign-in."""
    return [TeamMemberPublic.of(m) for m in team.list_team(engine, principal)]


@router.post("/partner/users", response_model=InvitationPublic, status_code=201)
def invite(body: InviteUser, principal: CurrentUser, engine: EngineDep, settings: SettingsDep,
           now: Now) -> InvitationPublic:
    """Invite a colleague with roles you manage: they get an email with a link, good for 7 days, where they choose
    a password. An open invitation to the same address is replaced. An address that already has an account in
    another workspace gets the same answer, but nothing is created and its email says so."""
    view = invitations.invite(engine, _sender(principal, settings), body.email, list(body.roles),
                              language=body.language, now=now)
    return InvitationPublic.of(view)


@router.get("/partner/invitations", response_model=list[InvitationPublic])
def open_invitations(principal: CurrentUser, engine: EngineDep, now: Now) -> list[InvitationPublic]:
    """Invitations neither accepted nor revoked, newest first; expired ones too (send them again)."""
    return [InvitationPublic.of(v) for v in invitations.open_invitations(engine, principal, now=now)]


@router.post("/partner/invitations/{invitation_id}/resend", response_model=InvitationPublic, responses=ONE)
def resend(invitation_id: str, principal: CurrentUser, engine: EngineDep, settings: SettingsDep,
           now: Now) -> InvitationPublic:
    """A new link, good for another 7 days; the link sent before stops working."""
    return InvitationPublic.of(invitations.resend(engine, _sender(principal, settings), invitation_id, now=now))


@router.delete("/partner/invitations/{invitation_id}", status_code=204, responses=ONE)
def revoke(invitation_id: str, principal: CurrentUser, engine: EngineDep, now: Now) -> Response:
    """Revoke an open invitation: its link stops working."""
    invitations.revoke(engine, principal, invitation_id, now=now)
    return Response(status_code=204)


@router.patch("/partner/users/{user_id}", response_model=TeamMemberPublic, responses=CHANGE)
def change_roles(user_id: str, body: ChangeRoles, principal: CurrentUser, engine: EngineDep) -> TeamMemberPublic:
    """Give the user exactly these roles. Referrals admins add and remove the Referrals roles, business-profile
    admins the business-profile role; the last active Referrals admin keeps theirs (409 `last_admin`)."""
    return TeamMemberPublic.of(team.change_roles(engine, principal, user_id, list(body.roles)))


@router.post("/partner/users/{user_id}/deactivate", response_model=TeamMemberPublic, responses=CHANGE)
def deactivate(user_id: str, principal: CurrentUser, engine: EngineDep, now: Now) -> TeamMemberPublic:
    """Deactivate: signed out at once, their API tokens refused, no more emails, no sign-in; their open leads go
    back to their location's assignment rule. Their history stays. Not the last active Referrals admin (409)."""
    return TeamMemberPublic.of(team.deactivate(engine, principal, user_id, now=now))


@router.post("/partner/users/{user_id}/reactivate", response_model=TeamMemberPublic, responses=ONE)
def reactivate(user_id: str, principal: CurrentUser, engine: EngineDep) -> TeamMemberPublic:
    """Reactivate: they sign in again with their password."""
    return TeamMemberPublic.of(team.reactivate(engine, principal, user_id))


@router.get("/partner/settings", response_model=PartnerSettingsPublic)
def partner_settings(principal: CurrentUser, engine: EngineDep) -> PartnerSettingsPublic:
    """The partner's settings (Referrals admins)."""
    return PartnerSettingsPublic(notification_email=me.partner_notification_email(engine, principal))


@router.patch("/partner/settings", response_model=PartnerSettingsPublic)
def update_partner_settings(body: UpdatePartnerSettings, principal: CurrentUser,
                            engine: EngineDep) -> PartnerSettingsPublic:
    """Set the partner's preferred notification address (null: the usual recipients). Referrals admins."""
    if "notification_email" not in body.model_fields_set:
        return PartnerSettingsPublic(notification_email=me.partner_notification_email(engine, principal))
    address = me.set_partner_notification_email(engine, principal, body.notification_email)
    return PartnerSettingsPublic(notification_email=address)
