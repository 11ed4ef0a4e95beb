"""Saved views in the pages, as plain form posts: save the list's current view under a name (shared or not) from the
list, and rename, share or delete views on /leads/views. The list shows them as chips beside the tabs."""

from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from referrals.domain.errors import InvalidInput
from referrals.domain.views import MAX_NAME, query_of
from referrals.services import views
from referrals.web.deps import EngineDep, Now
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, tr
from referrals.web.pages.forms import form_errors, parse_view, text, view_query

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _manage(request: Request, principal, engine, *, status: int = 200, errors: dict | None = None,
            values: dict | None = None) -> Response:
    listed = [(v, "/leads?" + view_query(*v.page_query()), v.changeable_by(principal))
              for v in views.list_views(engine, principal)]
    return render(request, "leads_views.html", {"views": listed, "errors": errors or {}, "values": values or {},
                                                "max_name": MAX_NAME}, status=status)


@router.get("/leads/views")
def manage_views(request: Request, principal: PageUser, engine: EngineDep) -> Response:
    return _manage(request, principal, engine)


@router.post("/leads/views")
def save_view(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    """The list's "Save this view": the view's query string comes along in `view`."""
    lead_filter, sort, _cursor = parse_view(QueryParams(text(form, "view")))
    try:
        views.save_view(engine, principal, text(form, "name"), query_of(lead_filter, sort), text(form, "shared") == "1",
                        now=now)
    except InvalidInput as error:
        values = {"name": text(form, "name"), "view": text(form, "view"), "shared": text(form, "shared") == "1"}
        return _manage(request, principal, engine, status=422, errors=form_errors(error), values=values)
    request.state.page.session.flash(tr(request, "View saved."))
    return redirect("/leads?" + view_query(lead_filter, sort))


@router.post("/leads/views/{view_id}")
def change_view(request: Request, view_id: str, form: PostedForm, principal: PageUser, engine: EngineDep,
                now: Now) -> Response:
    """Rename it and set whether it is shared (the manage page's form sends both)."""
    try:
        views.change_view(engine, principal, view_id, now=now, name=text(form, "name"),
                          shared=text(form, "shared") == "1")
    except InvalidInput as error:
        return _manage(request, principal, engine, status=422, errors={view_id: form_errors(error).get("name", "")})
    request.state.page.session.flash(tr(request, "View saved."))
    return redirect("/leads/views")


@router.post("/leads/views/{view_id}/delete")
def delete_view(request: Request, view_id: str, form: PostedForm, principal: PageUser,
                engine: EngineDep) -> Response:
    views.delete_view(engine, principal, view_id)
    request.state.page.session.flash(tr(request, "View deleted."))
    return redirect("/leads/views")
