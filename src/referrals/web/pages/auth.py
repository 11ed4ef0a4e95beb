"""Signing in and out, and choosing the language."""

import math

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.services.signin import LANGUAGES, set_language, sign_in
from referrals.web import session
from referrals.web.pages.base import PageRoute, local_path, redirect, render, tr
from referrals.web.pages.forms import text
from referrals.web.ratelimit_signin import SignInLimiter

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def home_of(request: Request) -> str:
    viewer = request.state.viewer
    if viewer is None:
        return "/signin"
    if viewer.principal.is_program_staff:
        return "/program/sent"
    return "/leads"


@router.get("/")
def home(request: Request) -> Response:
    return redirect(home_of(request))


@router.get("/signin")
def signin_page(request: Request, next: str = "") -> Response:
    if request.state.viewer is not None:
        return redirect(local_path(next, home_of(request)))
    return render(request, "signin.html", {"next": local_path(next, ""), "email": "", "error": None})


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await request.form()
    email, password, target = text(form, "email"), form.get("password"), text(form, "next")
    limiter: SignInLimiter = request.app.state.signin_limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.wait(client, email)
    if wait:
        message = tr(request, "Too many sign-in attempts. Try again in %(seconds)s seconds.") % {
            "seconds": math.ceil(wait)}
        return render(request, "signin.html", {"next": target, "email": email, "error": message}, status=429)
    principal = sign_in(request.app.state.engine, email, password if isinstance(password, str) else "")
    if principal is None:
        message = tr(request, "The email or the password is not right.")
        return render(request, "signin.html", {"next": target, "email": email, "error": message}, status=401)
    session.load(request).sign_in(principal.user_id)
    default = "/program/sent" if principal.is_program_staff else "/leads"
    return redirect(local_path(target, default))


@router.post("/signout")
def signout(request: Request) -> Response:
    session.load(request).sign_out()
    return redirect("/signin")


@router.post("/language")
async def language(request: Request) -> Response:
    form = await request.form()
    chosen = text(form, "language")
    if chosen in LANGUAGES:
        session.load(request).set("l", chosen)
        viewer = request.state.viewer
        if viewer is not None:
            set_language(request.app.state.engine, viewer.principal, chosen)
    return redirect(local_path(text(form, "next"), home_of(request)))
