"""/team: a partner's admins manage their team here, on the same services as the API: the members (roles,
active, last sign-in), inviting a colleague, the open invitations (send again, revoke), role changes,
deactivation and reactivation, and (Referrals admins) the partner's preferred notification address."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Conflict, InvalidInput
from referrals.domain.team import ROLE_ORDER, LastAdmin, managed_roles
from referrals.services import invitations, me, team
from referrals.services.invitations import Sender
from referrals.web import session
from referrals.web.deps import EngineDep, Now, SettingsDep
from referrals.web.labels import N_
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, language_of, tr
from referrals.web.pages.field_messages import explain_fields
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The services' field messages on this page, as sentences ("is required" and the rest: web/field_sentences.py).
FIELD_MESSAGES = {
    "is already in your team": N_("This person is already in your team."),
    "at least one role is required": N_("Choose at least one role."),
    "must be en or it": N_("Choose a language."),
}
LAST_ADMIN = N_("This is the partner's last active Referrals admin: make someone else a Referrals admin first.")


def _errors(request: Request, fields: dict[str, str]) -> dict[str, str]:
    return explain_fields(language_of(request), fields, FIELD_MESSAGES)


def _page(request: Request, principal: Principal, engine, now, *, status: int = 200, **context) -> Response:
    is_admin = principal.has(Role.REFERRALS_ADMIN)
    values = {
        "members": team.list_team(engine, principal),
        "invitations": invitations.open_invitations(engine, principal, now=now),
        "managed": managed_roles(principal),
        "role_order": ROLE_ORDER,
        "partner_address": me.partner_notification_email(engine, principal) if is_admin else None,
        "is_referrals_admin": is_admin,
        "errors": {}, "values": {}, "settings_errors": {}, "problem": None,
    }
    return render(request, "team.html", {**values, **context}, status=status)


@router.get("/team")
def team_page(request: Request, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    return _page(request, principal, engine, now)


def _sender(request: Request, principal: Principal, settings) -> Sender:
    return Sender(principal, principal.language or language_of(request), settings.base_url)


def _roles(form) -> list[str]:
    return [value for value in form.getlist("roles") if isinstance(value, str)]


@router.post("/team/invite")
def invite(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep, settings: SettingsDep,
           now: Now) -> Response:
    email, language, roles = text(form, "email"), text(form, "language") or None, _roles(form)
    try:
        invitations.invite(engine, _sender(request, principal, settings), email, roles, language=language, now=now)
    except InvalidInput as error:
        values = {"email": email, "roles": roles, "language": language or ""}
        return _page(request, principal, engine, now, values=values, errors=_errors(request, error.fields),
                     status=422)
    session.load(request).flash(tr(request, "Invitation sent to %(email)s.") % {"email": email.strip().lower()})
    return redirect("/team")


def _done(request: Request, message: str) -> Response:
    session.load(request).flash(message)
    return redirect("/team")


@router.post("/team/invitations/{invitation_id}/resend")
def resend(request: Request, invitation_id: str, principal: PageUser, engine: EngineDep, settings: SettingsDep,
           now: Now) -> Response:
    found = invitations.resend(engine, _sender(request, principal, settings), invitation_id, now=now)
    return _done(request, tr(request, "Invitation sent again to %(email)s: the earlier link no longer works.")
                 % {"email": found.email})


@router.post("/team/invitations/{invitation_id}/revoke")
def revoke(request: Request, invitation_id: str, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    invitations.revoke(engine, principal, invitation_id, now=now)
    return _done(request, tr(request, "Invitation revoked: its link no longer works."))


def _refused(request: Request, principal: Principal, engine, now, error: Exception) -> Response:
    """A change the rules refused, shown at the top of the team page; nothing was changed."""
    if isinstance(error, LastAdmin):
        return _page(request, principal, engine, now, problem=tr(request, LAST_ADMIN), status=409)
    fields = getattr(error, "fields", {}) or {}
    problem = "; ".join(_errors(request, fields).values()) or str(error)
    return _page(request, principal, engine, now, problem=problem, status=422)


@router.post("/team/users/{user_id}/roles")
def change_roles(request: Request, user_id: str, form: PostedForm, principal: PageUser, engine: EngineDep,
                 now: Now) -> Response:
    try:
        changed = team.change_roles(engine, principal, user_id, _roles(form))
    except (Conflict, InvalidInput) as error:
        return _refused(request, principal, engine, now, error)
    return _done(request, tr(request, "Roles of %(email)s saved.") % {"email": changed.email})


@router.post("/team/users/{user_id}/deactivate")
def deactivate(request: Request, user_id: str, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    try:
        changed = team.deactivate(engine, principal, user_id, now=now)
    except Conflict as error:
        return _refused(request, principal, engine, now, error)
    return _done(request, tr(request, "%(email)s is deactivated and signed out everywhere.")
                 % {"email": changed.email})


@router.post("/team/users/{user_id}/reactivate")
def reactivate(request: Request, user_id: str, principal: PageUser, engine: EngineDep) -> Response:
    changed = team.reactivate(engine, principal, user_id)
    return _done(request, tr(request, "%(email)s is active again.") % {"email": changed.email})


@router.post("/team/settings")
def partner_settings(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep,
                     now: Now) -> Response:
    address = text(form, "notification_email")
    try:
        me.set_partner_notification_email(engine, principal, address)
    except InvalidInput as error:
        return _page(request, principal, engine, now, settings_errors=_errors(request, error.fields),
                     settings_value=address, status=422)
    return _done(request, tr(request, "The partner's notification address is saved."))
