"""The lead list: tabs with counts, saved views as chips, the search and the filter panel with a chip per active
filter, sorting, keyset pages with their position ("1–50 of 1,234"), hearts and the CSV export. The URL holds the
whole view, so a view can be bookmarked and shared.

The page is served with the counts it is about: the view's own (its position) and, without a filter, every tab's
from the tallies. The saved views' chips and, under a filter, the other tabs are counted by `/leads/counts`, which
the page's script asks for once it is shown (static/list.js): each is a capped count of its own, and a narrow
filter's walks the partner's index entries, so a page waiting for all of them took 2-3 times as long."""

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from referrals.domain.list_position import Position
from referrals.domain.listing import DEFAULT_PAGE, FILTERS, FilterKind, PageRequest, Sort, Tab
from referrals.services import list_counts
from referrals.services.export import export_csv
from referrals.services.partner import list_users
from referrals.services.reading import list_leads, set_favorite
from referrals.services.views import counted_views, list_views
from referrals.web.deps import EngineDep, Now, ReadEngineDep
from referrals.web.i18n import Formatter
from referrals.web.pages import bulk, saved_views
from referrals.web.pages.base import PageRoute, local_path, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm
from referrals.web.pages.forms import (
    filter_chips,
    filters_active,
    page_cursor,
    parse_view,
    read_page_cursor,
    text,
    view_query,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(bulk.router)  # /leads/bulk before /leads/{lead_id} (lead_detail)
router.include_router(saved_views.router)  # /leads/views too

# The filters offered as groups of checkboxes: every declared filter with a fixed set of values.
FILTER_CHOICES = [(f.name, f.choices) for f in FILTERS if f.kind is FilterKind.CHOICE]


@router.get("/leads")
def leads_page(request: Request, principal: PageUser, engine: ReadEngineDep, now: Now) -> Response:
    lead_filter, sort, raw_cursor = parse_view(request.query_params)
    number, cursor = read_page_cursor(raw_cursor)
    page = list_leads(engine, principal, PageRequest(lead_filter, sort, cursor=cursor), now=now)
    short_first = number == 1 and page.next_cursor is None  # the first page holds the whole view
    counts = list_counts.tab_counts(engine, principal, lead_filter, known=len(page.items) if short_first else None)
    here = view_query(lead_filter, sort)
    return render(request, "leads.html", {
        "filter": lead_filter, "sort": sort, "cursor": cursor, "rows": page.items, "counts": counts,
        "tabs": list(Tab), "sorts": list(Sort), "choices": FILTER_CHOICES,
        "active_filters": filters_active(lead_filter), "chips": filter_chips(lead_filter, sort),
        "position": Position.of(number, DEFAULT_PAGE, len(page.items), counts[lead_filter.tab]) if number else None,
        "view": lambda **changes: "/leads?" + view_query(lead_filter, sort, changes),
        "export_url": "/leads/export.csv?" + here,
        "export_excel_url": "/leads/export.csv?" + view_query(lead_filter, sort, {"bom": "1"}),
        "next_url": ("/leads?" + view_query(lead_filter, sort, {"cursor": page_cursor(number + 1, page.next_cursor)
                                                                if number else page.next_cursor})
                     if page.next_cursor else None),
        "first_url": "/leads?" + here if cursor else None,
        "selected": {name: {str(v) for v in getattr(lead_filter, name)} for name, _ in FILTER_CHOICES},
        "saved_views": [(v, "/leads?" + view_query(*v.page_query())) for v in list_views(engine, principal)],
        "here_query": here,
        "counts_url": "/leads/counts?" + view_query(lead_filter, sort),
        # bulk actions (web/pages/bulk.py): the bar's actions, how many leads "all matching" means, and the view
        "bulk_actions": bulk.actions_for(principal), "bulk_total": counts[lead_filter.tab].value,
        "bulk_capped": counts[lead_filter.tab].capped,
        "bulk_view": here,
        "team": list_users(engine, principal),
    })


@router.get("/leads/counts")
def later_counts(request: Request, principal: PageUser, engine: ReadEngineDep, now: Now) -> Response:
    """The counts the page fills in once shown: `{"tabs": {tab: "1,234"}, "views": {view id: "10,000+"}}`, written
    as the page writes them (the reader's language; "+" past the cap)."""
    lead_filter, _sort, _cursor = parse_view(request.query_params)
    fmt = Formatter(request.state.page.language, "UTC", now)
    tabs = list_counts.other_tabs(engine, principal, lead_filter)
    return JSONResponse({"tabs": {tab.value: fmt.count(count) for tab, count in tabs.items()},
                         "views": {c.view.id: fmt.count(c.count) for c in counted_views(engine, principal)}},
                        headers={"Cache-Control": "no-store"})


@router.get("/leads/export.csv")
def export(request: Request, principal: PageUser, engine: ReadEngineDep, now: Now) -> Response:
    principal.partner_scope()  # refuse before the download starts, not in the middle of it
    lead_filter, sort, _cursor = parse_view(request.query_params)
    stamp = now.strftime("%Y%m%d-%H%M")
    bom = request.query_params.get("bom") in ("1", "true", "on")
    return StreamingResponse(
        export_csv(engine, principal, lead_filter, sort, bom=bom, now=now),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="leads-{stamp}.csv"', "Cache-Control": "no-store"},
    )


@router.post("/leads/{lead_id}/favorite")
def favorite(request: Request, lead_id: str, form: PostedForm, principal: PageUser, engine: EngineDep,
             now: Now) -> Response:
    wanted = text(form, "favorite") == "1"
    done = set_favorite(engine, principal, lead_id, wanted, now=now)
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"favorite": done})
    return redirect(local_path(text(form, "next"), f"/leads/{lead_id}"))
