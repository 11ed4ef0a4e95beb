"""What every page shares: the route class that puts the page context first (session, viewer, CSRF check on
every POST; web.pages.deps), saves the session cookie and turns domain errors into HTML error pages; and
`render`."""

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from referrals.domain.enums import LEAD_ACTING_ROLES as _ACTING
from referrals.domain.enums import LEAD_READING_ROLES as _READING
from referrals.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound
from referrals.services.action_center import unread_count
from referrals.services.screening import line_in_use
from referrals.web import i18n, session
from referrals.web.pages.deps import PageContext, SignInRequired, page_context, tr

ERROR_STATUS = {NotFound: 404, Forbidden: 403, InvalidInput: 422, InvalidTransition: 409, Conflict: 409}


def local_path(target: str | None, default: str = "/leads") -> str:
    """Only paths on this site are followed after a form (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


BELL_MAX = 99  # above this the bell shows "99+"; the action center lists the waiting leads themselves


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200) -> Response:
    page: PageContext = request.state.page
    viewer = page.viewer
    principal = viewer.principal if viewer else None
    acting = bool(principal and principal.partner_id and principal.has(*_ACTING))
    bell = unread_count(page.engine, principal, up_to=BELL_MAX + 1) if acting else None  # type: ignore[arg-type]
    values = {
        "request": request,
        "viewer": viewer,
        "principal": principal,
        "can_act": acting,
        "can_read": bool(principal and principal.partner_id and principal.has(*_READING)),
        "is_staff": bool(principal and principal.is_program_staff),
        "bell": bell,
        "bell_max": BELL_MAX,
        "lang": page.language,
        "fmt": i18n.Formatter(page.language, viewer.timezone if viewer else "UTC", page.now,
                              line_in_use(page.engine).threshold),
        "now": page.now,
        "csrf_token": page.session.csrf,
        "flash": page.session.pop_flash(),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **(context or {}),
    }
    html = i18n.environment(page.language).get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def _error_response(request: Request, error: Exception) -> Response:
    if isinstance(error, SignInRequired):
        return redirect("/signin?next=" + quote(local_path(request.url.path + "?" + request.url.query), safe=""))
    if getattr(request.state, "page", None) is None:
        raise error  # failed before the page context was made: nothing to render a page with
    if isinstance(error, DomainError):
        status = next((code for kind, code in ERROR_STATUS.items() if isinstance(error, kind)), 400)
        message = {404: tr(request, "This page does not exist, or it is not yours to see."),
                   403: tr(request, "Your roles do not allow this page.")}.get(status, error.message)
        return error_page(request, status, message)
    if isinstance(error, HTTPException):
        return error_page(request, error.status_code, str(error.detail))
    raise error


class PageRoute(APIRoute):
    """The route class of every HTML page: `page_context` is its first dependency, whatever the route asks for."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *,
                 dependencies: Sequence[Any] | None = None, **kwargs: Any) -> None:
        chosen = list(dependencies or [])
        if not any(getattr(d, "dependency", None) is page_context for d in chosen):
            chosen.insert(0, Depends(page_context))
        super().__init__(path, endpoint, dependencies=chosen, **kwargs)

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            request.state.page = None
            try:
                response = await handler(request)
            except (SignInRequired, DomainError, HTTPException) as error:
                response = _error_response(request, error)
            session.save(request, session.load(request), response)
            return response

        return page
