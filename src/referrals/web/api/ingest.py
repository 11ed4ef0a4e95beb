"""The program's ingestion API: program admins and sellers send leads to partners, one or a batch."""

from fastapi import APIRouter, Response, status
from pydantic import ValidationError

from referrals.domain.access import Principal
from referrals.domain.enums import ReferrerKind
from referrals.domain.errors import DomainError, InvalidInput
from referrals.domain.lead import Customer, Origin
from referrals.services.ingest import Ingested, LeadDraft, ingest_lead, ingest_many
from referrals.services.reading import owner_of
from referrals.web.api.common import problems
from referrals.web.api.present import lead_public
from referrals.web.api.schemas import BatchItemPublic, BatchPublic, LeadPublic, Problem
from referrals.web.api.schemas_in import CreateLead, CreateLeads
from referrals.web.deps import EngineDep, Now, ProgramStaff
from referrals.web.errors import PROBLEM_TYPE, STATUS

router = APIRouter(prefix="/leads", tags=["ingestion"], responses=problems(400, 401, 403, 409, 413, 422))


def draft_from(body: CreateLead, principal: Principal) -> LeadDraft:
    origin = Origin(
        qualification=body.qualification, source=body.source, type=body.type, call_to_action=body.call_to_action,
        offer_id=body.offer.id, offer_title=body.offer.title, referrer_kind=ReferrerKind.STAFF,
        referrer_id=principal.user_id, referrer_email=principal.email,
    )
    customer = Customer(**body.customer.model_dump())
    return LeadDraft(
        partner_id=body.partner_id, origin=origin, customer=customer, message=body.message,
        customer_requested_contact=body.customer_requested_contact, location_id=body.location_id,
        external_id=body.external_id,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LeadPublic,
             responses={200: {"model": LeadPublic, "description": "A lead with this external_id already exists"}})
def create_lead(body: CreateLead, principal: ProgramStaff, engine: EngineDep, now: Now,
                response: Response) -> LeadPublic:
    """Send a lead to a partner. The same external_id again answers 200 with the lead it made."""
    result = ingest_lead(engine, draft_from(body, principal), now=now, by=principal.actor)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    response.headers["ETag"] = result.lead.etag
    return lead_public(result.lead, favorite=False, now=now, viewer=principal, owner=owner_of(engine, result.lead))


def _problem(error: DomainError) -> Problem:
    status_code = STATUS.get(error.code, 400)
    return Problem(type=PROBLEM_TYPE + error.code, title=error.code.replace("_", " ").capitalize(),
                   status=status_code, code=error.code, detail=error.message, fields=error.fields)


def _parse(raw: dict) -> CreateLead | DomainError:
    try:
        return CreateLead.model_validate(raw)
    except ValidationError as error:
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in error.errors()}
        return InvalidInput("The lead is invalid: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
                            fields=fields)


def _item(index: int, outcome: Ingested | DomainError) -> BatchItemPublic:
    if isinstance(outcome, DomainError):
        return BatchItemPublic(index=index, result="rejected", lead_id=None, problem=_problem(outcome))
    if outcome.error is not None:
        return BatchItemPublic(index=index, result="rejected", lead_id=None, problem=_problem(outcome.error))
    result = "created" if outcome.created else "existing"
    return BatchItemPublic(index=index, result=result, lead_id=outcome.lead.id, problem=None)


@router.post("/batch", response_model=BatchPublic)
def create_leads(body: CreateLeads, principal: ProgramStaff, engine: EngineDep, now: Now) -> BatchPublic:
    """Up to 1,000 leads; each is created, found existing (same external_id) or rejected on its own."""
    parsed = [_parse(raw) for raw in body.leads]
    valid = [(i, p) for i, p in enumerate(parsed) if isinstance(p, CreateLead)]
    ingested = ingest_many(engine, [draft_from(p, principal) for _, p in valid], now=now, by=principal.actor)
    outcomes: list[Ingested | DomainError] = list(parsed)  # type: ignore[arg-type]
    for (index, _), result in zip(valid, ingested, strict=True):
        outcomes[index] = result
    items = [_item(i, outcome) for i, outcome in enumerate(outcomes)]
    count = {name: sum(1 for item in items if item.result == name) for name in ("created", "existing", "rejected")}
    return BatchPublic(**count, results=items)
