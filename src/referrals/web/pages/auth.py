"""Signing in and out, and choosing the language."""

import math

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.services.signin import LANGUAGES, Viewer, set_language, sign_in
from referrals.web import session
from referrals.web.deps import EngineDep, Now
from referrals.web.pages.base import PageRoute, local_path, redirect, render
from referrals.web.pages.deps import PostedForm, Visitor, tr
from referrals.web.pages.forms import text
from referrals.web.pages.signin_limits import SignInGate, after_sign_in, refused

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def home_of(viewer: Viewer | None) -> str:
    if viewer is None:
        return "/signin"
    if viewer.principal.is_program_staff:
        return "/program/sent"
    return "/leads"


@router.get("/")
def home(viewer: Visitor) -> Response:
    return redirect(home_of(viewer))


@router.get("/signin")
def signin_page(request: Request, viewer: Visitor, next: str = "") -> Response:
    if viewer is not None:
        return redirect(local_path(next, home_of(viewer)))
    return render(request, "signin.html", {"next": local_path(next, ""), "email": "", "error": None})


@router.post("/signin")
def signin(request: Request, form: PostedForm, engine: EngineDep, gate: SignInGate, now: Now) -> Response:
    email, password, target = text(form, "email"), form.get("password"), text(form, "next")
    if gate.wait:
        message = tr(request, "Too many sign-in attempts. Try again in %(seconds)s seconds.") % {
            "seconds": math.ceil(gate.wait)}
        return refused(render(request, "signin.html", {"next": target, "email": email, "error": message},
                              status=429), gate)
    principal = sign_in(engine, email, password if isinstance(password, str) else "")
    after_sign_in(request, engine, email, principal, now)
    if principal is None:
        message = tr(request, "The email or the password is not right.")
        return render(request, "signin.html", {"next": target, "email": email, "error": message}, status=401)
    session.sign_in(request, engine, principal.user_id, now)
    default = "/program/sent" if principal.is_program_staff else "/leads"
    return redirect(local_path(target, default))


@router.post("/signout")
def signout(request: Request, engine: EngineDep) -> Response:
    """Ends this browser's session on the server: a copy of the cookie is worth nothing after it."""
    session.sign_out(request, engine)
    return redirect("/signin")


@router.post("/language")
def language(request: Request, form: PostedForm, viewer: Visitor, engine: EngineDep) -> Response:
    chosen = text(form, "language")
    if chosen in LANGUAGES:
        session.load(request).set("l", chosen)
        if viewer is not None:
            set_language(engine, viewer.principal, chosen)
    return redirect(local_path(text(form, "next"), home_of(viewer)))
