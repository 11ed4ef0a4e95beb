"""/invite/{token}: the one-time link of an invitation, where the invited colleague chooses a name and a password
and joins the partner; then they sign in. Posts share the password forms' per-address limit (each may hash a
password with argon2), and the link is checked before any hashing."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.domain.errors import InvalidInput, NotFound
from referrals.services.invitations import accept, invitation_for
from referrals.web import session
from referrals.web.deps import EngineDep, Now, PasswordLimiter
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PostedForm, tr
from referrals.web.pages.forms import text
from referrals.web.pages.password import _too_many
from referrals.web.pages.settings import password, translated

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _gone(request: Request) -> Response:
    return render(request, "invite.html", {"invitation": None, "errors": {}, "values": {}}, status=410)


@router.get("/invite/{token}")
def invite_page(request: Request, token: str, engine: EngineDep, now: Now) -> Response:
    found = invitation_for(engine, token, now=now)
    if found is None:
        return _gone(request)
    return render(request, "invite.html", {"invitation": found, "errors": {}, "values": {}})


@router.post("/invite/{token}")
def join(request: Request, token: str, form: PostedForm, engine: EngineDep, now: Now,
         limiter: PasswordLimiter) -> Response:
    found = invitation_for(engine, token, now=now)
    context = {"invitation": found, "errors": {}, "values": {"name": text(form, "name")}}
    if refused := _too_many(request, limiter, "invite.html", context):
        return refused
    if found is None:
        return _gone(request)
    new = password(form, "password")
    try:
        if new != password(form, "confirm_password"):
            raise InvalidInput("The passwords differ.", fields={"confirm_password": "does not match"})
        accept(engine, token, name=text(form, "name"), password=new, now=now)
    except NotFound:
        return _gone(request)
    except InvalidInput as error:
        return render(request, "invite.html", {**context, "errors": translated(request, error.fields)}, status=422)
    session.sign_out(request, engine)  # whoever was signed in on this browser: the newcomer signs in next
    session.load(request).flash(tr(request, "Welcome to %(partner)s. Sign in with your address and new password.")
                                % {"partner": found.partner_name})
    return redirect("/signin")
