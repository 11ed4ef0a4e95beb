"""What the team, invitation and settings endpoints accept and answer."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from referrals.domain.preferences import NewLeadEmails
from referrals.domain.team import InvitationState, sorted_roles
from referrals.services.invitations import InvitationView
from referrals.store.users import Own, TeamMember
from referrals.web.api.schemas_in import Strict, Text

PartnerRole = Literal["referrals-admin", "referrals-user", "business-profile-admin"]


class TeamMemberPublic(BaseModel):
    id: str
    email: str
    name: str
    roles: list[str]
    active: bool = Field(description="False once deactivated: no sign-in, no tokens, no emails; history stays")
    last_signin_at: datetime | None = Field(description="The last sign-in on the pages; null if never")

    @classmethod
    def of(cls, member: TeamMember) -> "TeamMemberPublic":
        return cls(id=member.id, email=member.email, name=member.name, roles=sorted_roles(member.roles),
                   active=member.active, last_signin_at=member.last_signin_at)


class InviteUser(Strict):
    email: Text = Field(max_length=320, examples=["colleague@contoso.example"])
    roles: list[PartnerRole] = Field(min_length=1, max_length=3, examples=[["referrals-user"]])
    language: Literal["en", "it"] | None = Field(
        default=None, description="The invitee's language (their emails and pages); default: follow their browser. "
                                  "The invitation email is in it, else in the inviter's language")


class InvitationPublic(BaseModel):
    id: str
    email: str
    roles: list[str]
    language: Literal["en", "it"] | None
    created_at: datetime
    expires_at: datetime = Field(description="The link works until then (7 days after it was last sent)")
    state: InvitationState = Field(description="open or expired (accepted and revoked invitations are not listed)")

    @classmethod
    def of(cls, view: InvitationView) -> "InvitationPublic":
        return cls(id=view.id, email=view.email, roles=sorted_roles(view.roles), language=view.language,
                   created_at=view.created_at, expires_at=view.expires_at, state=view.state)


class ChangeRoles(Strict):
    roles: list[PartnerRole] = Field(
        min_length=1, max_length=3,
        description="Every role the user is to have. Roles you do not manage must be sent as they are")


class MePublic(BaseModel):
    id: str
    email: str
    name: str
    partner_id: str | None
    roles: list[str]
    language: Literal["en", "it"] | None = Field(description="null: follow the browser's Accept-Language")
    notification_email: str | None = Field(description="Where notification emails go; null: the sign-in address")
    new_lead_emails: NewLeadEmails = Field(
        description="each: one email per lead (a digest past 10 a day); digest: a daily digest only; none")

    @classmethod
    def of(cls, own: Own) -> "MePublic":
        roles = sorted(r.value for r in own.roles)
        p = own.preferences
        return cls(id=own.id, email=own.email, name=own.name, partner_id=own.partner_id, roles=roles,
                   language=p.language, notification_email=p.notification_email, new_lead_emails=p.new_lead_emails)


class UpdateMe(Strict):
    """Any of the three; those left out stay as they are."""

    language: Literal["en", "it"] | None = None
    notification_email: Text | None = Field(default=None, max_length=320)
    new_lead_emails: NewLeadEmails | None = None


class PartnerSettingsPublic(BaseModel):
    notification_email: str | None = Field(
        description="The partner's preferred address for new-lead emails; null: the usual recipients")


class UpdatePartnerSettings(Strict):
    notification_email: Text | None = Field(default=None, max_length=320)

