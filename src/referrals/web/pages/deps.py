"""The pages' typed dependencies, on the same engine and clock as the JSON API (web.deps): the page context
(session, signed-in viewer, language, time) and who is looking, `CurrentViewer` / `PageUser`, which send
an anonymous visitor to /signin.

`page_context` runs first on every page route (PageRoute adds it), so the CSRF token of every POST is
checked before any other dependency or the route itself runs.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from referrals.domain.access import Principal
from referrals.services.signin import Viewer
from referrals.web import i18n, session
from referrals.web.deps import EngineDep, Now


class SignInRequired(Exception):
    """The page needs a signed-in user: send them to /signin and back."""


@dataclass(frozen=True)
class PageContext:
    """What every page renders with; kept on request.state.page so error pages can render too."""

    engine: Engine
    now: datetime
    session: session.Session
    viewer: Viewer | None
    language: str


def signed_in_viewer(request: Request, engine: EngineDep, now: Now) -> Viewer | None:
    """The active user of the request's live session, or None. A plain function: it reads the database."""
    return session.signed_in(request, engine, now)


Visitor = Annotated[Viewer | None, Depends(signed_in_viewer)]  # public pages: signed in or not


async def page_context(request: Request, engine: EngineDep, now: Now, viewer: Visitor) -> PageContext:
    sess = session.load(request)
    language = i18n.choose_language(
        viewer.principal.language if viewer else None, sess.language, request.headers.get("accept-language"),
        signed_in=viewer is not None,
    )
    context = PageContext(engine, now, sess, viewer, language)
    request.state.page = context
    if request.method == "POST":
        form = await request.form()
        if not sess.csrf_ok(form.get(session.CSRF_FIELD)):  # type: ignore[arg-type]
            raise HTTPException(403, tr(request, "The form expired. Go back, reload the page and try again."))
    return context


Page = Annotated[PageContext, Depends(page_context)]


async def _current_viewer(page: Page) -> Viewer:
    if page.viewer is None:
        raise SignInRequired
    return page.viewer


CurrentViewer = Annotated[Viewer, Depends(_current_viewer)]


async def _page_user(viewer: CurrentViewer) -> Principal:
    return viewer.principal


PageUser = Annotated[Principal, Depends(_page_user)]  # the pages' CurrentUser: signed in, or off to /signin


async def _posted_form(request: Request) -> FormData:
    return await request.form()  # read once per request: page_context has read it to check the CSRF token


PostedForm = Annotated[FormData, Depends(_posted_form)]  # lets a form's route be a plain (thread pool) function


def language_of(request: Request) -> str:
    return request.state.page.language


def tr(request: Request, message: str) -> str:
    return i18n.gettext(language_of(request), message)
