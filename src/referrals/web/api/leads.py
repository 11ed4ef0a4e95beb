"""Reading a partner's leads: the list, tab counts, the CSV export, one lead, favourites.
Static paths (counts, export.csv) are declared before /leads/{lead_id}."""

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from referrals.services.export import HEADERS, export_csv
from referrals.services.reading import list_leads, set_favorite, tab_counts
from referrals.web.api.common import LEAD_READ, with_etag
from referrals.web.api.filters import Export, Filter, Page
from referrals.web.api.present import lead_detail_public, listed_public
from referrals.web.api.schemas import FavoritePublic, LeadDetailPublic, LeadsPublic, TabCountsPublic
from referrals.web.deps import EngineDep, LeadReader, Now, PartnerLead, ReadEngineDep

router = APIRouter(prefix="/leads", tags=["leads"], responses=LEAD_READ)


class CSVResponse(StreamingResponse):
    media_type = "text/csv"


@router.get("", response_model=LeadsPublic)
def get_leads(principal: LeadReader, page: Page, engine: ReadEngineDep, now: Now) -> Response:
    """One page of the partner's leads in a tab, filtered and sorted; follow next_cursor for more."""
    result = list_leads(engine, principal, page, now=now)
    items = [listed_public(item, now=now, viewer=principal) for item in result.items]
    # The rows are validated once, here, and written straight to JSON: handing models back to FastAPI would
    # dump, validate and encode the fifty leads again.
    body = LeadsPublic(items=items, next_cursor=result.next_cursor).model_dump_json()
    return Response(body, media_type="application/json")


@router.get("/counts", response_model=TabCountsPublic)
def get_tab_counts(principal: LeadReader, lead_filter: Filter, engine: ReadEngineDep) -> TabCountsPublic:
    """How many leads match the filters in each tab (the `tab` parameter is ignored)."""
    counts = tab_counts(engine, principal, lead_filter)
    return TabCountsPublic(**{tab.value: n for tab, n in counts.items()})


@router.get(
    "/export.csv",
    response_class=CSVResponse,
    responses={200: {"description": "CSV with the columns: " + ", ".join(HEADERS),
                     "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export_leads(principal: LeadReader, query: Export, engine: ReadEngineDep, now: Now) -> CSVResponse:
    """Every lead matching the filters (no page limit), streamed as CSV; expired leads without contacts."""
    lead_filter, sort, bom = query
    chunks = export_csv(engine, principal, lead_filter, sort, bom=bom, now=now)
    headers = {"Content-Disposition": 'attachment; filename="leads.csv"'}
    return CSVResponse(chunks, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/{lead_id}", response_model=LeadDetailPublic)
def get_one_lead(found: PartnerLead, principal: LeadReader, response: Response, now: Now) -> LeadDetailPublic:
    """One lead with its urgency, validity, quality factors, deal and full history."""
    with_etag(response, found.lead)
    return lead_detail_public(found.lead, favorite=found.favorite, history=found.history, now=now,
                              viewer=principal, owner=found.owner)


@router.put("/{lead_id}/favorite", response_model=FavoritePublic)
def add_favorite(lead_id: str, principal: LeadReader, engine: EngineDep, now: Now) -> FavoritePublic:
    """Heart the lead for the calling user (idempotent)."""
    return FavoritePublic(lead_id=lead_id, favorite=set_favorite(engine, principal, lead_id, True, now=now))


@router.delete("/{lead_id}/favorite", response_model=FavoritePublic)
def remove_favorite(lead_id: str, principal: LeadReader, engine: EngineDep, now: Now) -> FavoritePublic:
    """Un-heart the lead for the calling user (idempotent)."""
    return FavoritePublic(lead_id=lead_id, favorite=set_favorite(engine, principal, lead_id, False, now=now))
