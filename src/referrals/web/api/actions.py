"""A Referrals admin's actions on a lead. Each answers the changed lead with its new ETag; a stale
If-Match answers 412, a concurrent change 409 conflict, an archived lead 409 invalid_transition."""

from fastapi import APIRouter, Response

from referrals.domain.enums import Outcome
from referrals.domain.lead import Lead
from referrals.services import lifecycle, ownership
from referrals.services.reading import viewer_facts
from referrals.web.api.common import LEAD_WRITE, with_etag
from referrals.web.api.present import lead_public
from referrals.web.api.schemas import LeadPublic
from referrals.web.api.schemas_in import AcceptLead, AddEmployee, AssignLead, CloseLead, DeclineLead, EditDeal
from referrals.web.deps import EngineDep, IfMatch, LeadAdmin, Now

router = APIRouter(prefix="/leads/{lead_id}", tags=["lead actions"], responses=LEAD_WRITE)


def _answer(engine, principal, lead: Lead, response: Response, now) -> LeadPublic:
    with_etag(response, lead)
    favorite, owner = viewer_facts(engine, principal, lead)
    return lead_public(lead, favorite=favorite, now=now, viewer=principal, owner=owner)


@router.post("/accept", response_model=LeadPublic)
def accept(lead_id: str, body: AcceptLead, principal: LeadAdmin, engine: EngineDep, now: Now,
           response: Response, if_match: IfMatch = None) -> LeadPublic:
    """Accept a received lead and open its deal."""
    lead = lifecycle.accept_lead(engine, principal, lead_id, body.to_terms(), now=now, if_match=if_match)
    return _answer(engine, principal, lead, response, now)


@router.post("/decline", response_model=LeadPublic)
def decline(lead_id: str, body: DeclineLead, principal: LeadAdmin, engine: EngineDep, now: Now,
            response: Response, if_match: IfMatch = None) -> LeadPublic:
    """Decline a received lead with a reason and notes; it is archived as declined."""
    lead = lifecycle.decline_lead(engine, principal, lead_id, body.reason, body.notes, now=now, if_match=if_match)
    return _answer(engine, principal, lead, response, now)


@router.patch("/deal", response_model=LeadPublic)
def edit_deal(lead_id: str, body: EditDeal, principal: LeadAdmin, engine: EngineDep, now: Now,
              response: Response, if_match: IfMatch = None) -> LeadPublic:
    """Change any of the accepted lead's deal fields; only the fields sent change."""
    lead = lifecycle.edit_deal(engine, principal, lead_id, body.to_changes(), now=now, if_match=if_match)
    return _answer(engine, principal, lead, response, now)


@router.post("/deal/employees", response_model=LeadPublic)
def add_employee(lead_id: str, body: AddEmployee, principal: LeadAdmin, engine: EngineDep, now: Now,
                 response: Response, if_match: IfMatch = None) -> LeadPublic:
    """Add one of the partner's own people to the deal."""
    lead = lifecycle.add_deal_employee(engine, principal, lead_id, body.to_domain(), now=now, if_match=if_match)
    return _answer(engine, principal, lead, response, now)


@router.post("/close", response_model=LeadPublic)
def close(lead_id: str, body: CloseLead, principal: LeadAdmin, engine: EngineDep, now: Now,
          response: Response, if_match: IfMatch = None) -> LeadPublic:
    """Mark the deal won or lost (a reason is required when lost); the lead is archived."""
    lead = lifecycle.close_lead(engine, principal, lead_id, Outcome(body.outcome), body.reason, body.notes,
                                now=now, if_match=if_match)
    return _answer(engine, principal, lead, response, now)


@router.put("/owner", response_model=LeadPublic)
def assign(lead_id: str, body: AssignLead, principal: LeadAdmin, engine: EngineDep, now: Now,
           response: Response, if_match: IfMatch = None) -> LeadPublic:
    """Give the lead an owner: an active user of the partner (a Referrals user may own a lead and read it;
    acting on it still needs the admin role). The owner is emailed, unless they assigned it to themselves."""
    lead = ownership.assign_lead(engine, principal, lead_id, body.user_id, now=now, if_match=if_match)
    return _answer(engine, principal, lead, response, now)


@router.delete("/owner", response_model=LeadPublic)
def unassign(lead_id: str, principal: LeadAdmin, engine: EngineDep, now: Now, response: Response,
             if_match: IfMatch = None) -> LeadPublic:
    """Leave the lead without an owner."""
    lead = ownership.unassign_lead(engine, principal, lead_id, now=now, if_match=if_match)
    return _answer(engine, principal, lead, response, now)
