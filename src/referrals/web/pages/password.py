"""A forgotten password: the request form (answered the same whether or not the address has an account) and the
one-time link's page, which sets a new password and ends every session of the user."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.domain.errors import InvalidInput, NotFound
from referrals.services.passwords import request_reset, reset_link_usable, reset_password
from referrals.web import session
from referrals.web.client import client_key
from referrals.web.deps import EngineDep, Now, PasswordLimiter, SettingsDep
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PostedForm, language_of, tr
from referrals.web.pages.forms import text
from referrals.web.pages.settings import password, translated
from referrals.web.ratelimit import Limit

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "password_forgot.html", {"sent": False})


def _too_many(request: Request, limiter: Limit, template: str, context: dict) -> Response | None:
    """429 when this address posted too often (each post may hash a password with argon2)."""
    wait = limiter.take(client_key(request))
    if not wait:
        return None
    response = render(request, template, {**context, "problem": tr(
        request, "Too many requests from your address. Wait a minute, then send the form again.")}, status=429)
    response.headers["Retry-After"] = str(max(1, round(wait)))
    return response


@router.post("/password/forgot")
def forgot(request: Request, form: PostedForm, engine: EngineDep, settings: SettingsDep, now: Now,
           limiter: PasswordLimiter) -> Response:
    if refused := _too_many(request, limiter, "password_forgot.html", {"sent": False}):
        return refused
    request_reset(engine, text(form, "email"), language=language_of(request), base_url=settings.base_url, now=now)
    return render(request, "password_forgot.html", {"sent": True})


def _gone(request: Request) -> Response:
    return render(request, "password_reset.html", {"usable": False, "errors": {}}, status=410)


@router.get("/password/reset/{token}")
def reset_page(request: Request, token: str, engine: EngineDep, now: Now) -> Response:
    if not reset_link_usable(engine, token, now=now):
        return _gone(request)
    return render(request, "password_reset.html", {"usable": True, "errors": {}})


@router.post("/password/reset/{token}")
def reset(request: Request, token: str, form: PostedForm, engine: EngineDep, now: Now,
          limiter: PasswordLimiter) -> Response:
    if refused := _too_many(request, limiter, "password_reset.html", {"usable": True, "errors": {}}):
        return refused
    new = password(form, "password")
    try:
        if new != password(form, "confirm_password"):
            raise InvalidInput("The passwords differ.", fields={"confirm_password": "does not match"})
        reset_password(engine, token, new, now=now)
    except NotFound:
        return _gone(request)
    except InvalidInput as error:
        return render(request, "password_reset.html", {"usable": True, "errors": translated(request, error.fields)},
                      status=422)
    session.sign_out(request, engine)  # this browser too: it signs in with the new password
    session.load(request).flash(tr(request, "Your password is set. Sign in with it."))
    return redirect("/signin")
