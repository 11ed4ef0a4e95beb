"""What every page shares: the route class that loads the session and the signed-in viewer, checks CSRF
on every POST, saves the session cookie and turns domain errors into HTML error pages; and `render`."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from referrals.domain.access import Principal
from referrals.domain.enums import LEAD_ACTING_ROLES as _ACTING
from referrals.domain.enums import LEAD_READING_ROLES as _READING
from referrals.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound
from referrals.services.notification_center import unread_count
from referrals.services.signin import Viewer, load_viewer
from referrals.web import i18n, session
from referrals.web.deps import get_now, utc_now

ERROR_STATUS = {NotFound: 404, Forbidden: 403, InvalidInput: 422, InvalidTransition: 409, Conflict: 409}


class SignInRequired(Exception):
    """The page needs a signed-in user: send them to /signin and back."""


def clock(request: Request) -> datetime:
    """The web edge's one clock (web.deps.get_now), honouring the app's dependency overrides."""
    override = request.app.dependency_overrides.get(get_now)
    return override() if override is not None else utc_now()


def viewer_of(request: Request) -> Viewer:
    viewer: Viewer | None = request.state.viewer
    if viewer is None:
        raise SignInRequired
    return viewer


def language_of(request: Request) -> str:
    return request.state.language


def tr(request: Request, message: str) -> str:
    return i18n.gettext(language_of(request), message)


def local_path(target: str | None, default: str = "/leads") -> str:
    """Only paths on this site are followed after a form (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


BELL_MAX = 99  # above this the bell shows "99+"; the action center lists the waiting leads themselves


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200) -> Response:
    viewer: Viewer | None = request.state.viewer
    language = language_of(request)
    now = clock(request)
    principal: Principal | None = viewer.principal if viewer else None
    bell = None
    if principal is not None and principal.partner_id and principal.has(*_ACTING):
        bell = unread_count(request.app.state.engine, principal, up_to=BELL_MAX + 1)
    sess = session.load(request)
    values = {
        "request": request,
        "viewer": viewer,
        "principal": principal,
        "can_act": bool(principal and principal.partner_id and principal.has(*_ACTING)),
        "can_read": bool(principal and principal.partner_id and principal.has(*_READING)),
        "is_staff": bool(principal and principal.is_program_staff),
        "bell": bell,
        "bell_max": BELL_MAX,
        "lang": language,
        "fmt": i18n.Formatter(language, viewer.timezone if viewer else "UTC", now),
        "now": now,
        "csrf_token": sess.csrf,
        "flash": sess.pop_flash(),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **(context or {}),
    }
    html = i18n.environment(language).get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def _error_response(request: Request, error: Exception) -> Response:
    if isinstance(error, SignInRequired):
        return redirect("/signin?next=" + quote(local_path(request.url.path + "?" + request.url.query), safe=""))
    if isinstance(error, DomainError):
        status = next((code for kind, code in ERROR_STATUS.items() if isinstance(error, kind)), 400)
        message = {404: tr(request, "This page does not exist, or it is not yours to see."),
                   403: tr(request, "Your roles do not allow this page.")}.get(status, error.message)
        return error_page(request, status, message)
    if isinstance(error, HTTPException):
        return error_page(request, error.status_code, str(error.detail))
    raise error


class PageRoute(APIRoute):
    """The route class of every HTML page."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            sess = session.load(request)
            engine = request.app.state.engine
            request.state.viewer = load_viewer(engine, sess.user_id) if sess.user_id else None
            preference = request.state.viewer.principal.language if request.state.viewer else None
            request.state.language = i18n.choose_language(
                preference, sess.language, request.headers.get("accept-language")
            )
            try:
                if request.method == "POST":
                    form = await request.form()
                    if not sess.csrf_ok(form.get(session.CSRF_FIELD)):  # type: ignore[arg-type]
                        raise HTTPException(403, tr(request, "The form expired. Go back, reload the page and try "
                                                            "again."))
                response = await handler(request)
            except (SignInRequired, DomainError, HTTPException) as error:
                response = _error_response(request, error)
            session.save(request, sess, response)
            return response

        return page

