"""One lead: what it is, where it stands, its history, and the forms that move it on.

A form with problems comes back with each message next to its field and the values as typed; nothing
was changed, because the service refused it in one transaction.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from referrals.domain.deal import check_terms
from referrals.domain.enums import Outcome, Reason, Role, Status
from referrals.domain.errors import Conflict, InvalidInput, InvalidTransition
from referrals.domain.lead import visible_customer
from referrals.domain.vocab import CompanySize
from referrals.services import lifecycle
from referrals.services.notification_center import mark_read
from referrals.services.partner import list_users
from referrals.services.reading import get_lead
from referrals.web import session
from referrals.web.labels import N_
from referrals.web.pages import forms
from referrals.web.pages.base import PageRoute, clock, redirect, render, tr, viewer_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CURRENCY_CHOICES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "PLN")


def _values_of_deal(detail) -> dict[str, Any]:
    """The edit form starts from the deal as it is."""
    deal = detail.lead.deal
    if deal is None:
        return {}
    terms = deal.terms
    values: dict[str, Any] = {
        "deal_name": terms.name, "amount": str(terms.value.amount), "currency": terms.value.currency,
        "purchase_date": terms.purchase_date.isoformat(), "notes": terms.notes, "campaign_id": terms.campaign_id,
        "crm_id": terms.crm_id, "team_member_ids": list(terms.team_member_ids),
    }
    for index, contact in enumerate(terms.customer_contacts):
        for name, value in vars(contact).items():
            values[f"contact-{index}-{name}"] = value
    return values


def _typed(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {key: form.get(key) for key in form if key != "csrf_token"}
    values["team_member_ids"] = form.getlist("team_member_ids")
    return values


def show(request: Request, lead_id: str, *, open_form: str | None = None, values: dict[str, Any] | None = None,
         errors: dict[str, str] | None = None, problem: str | None = None, status: int = 200) -> Response:
    principal = viewer_of(request).principal
    engine = request.app.state.engine
    detail = get_lead(engine, principal, lead_id)
    team = list_users(engine, principal)
    names = {user.id: user.name or user.email for user in team}
    lead = detail.lead
    contact_rows = max(forms.CONTACT_ROWS, len(lead.deal.terms.customer_contacts) + 1 if lead.deal else 0)
    return render(request, "lead.html", {
        "detail": detail, "lead": lead, "customer": visible_customer(lead), "urgency": lead.urgency(clock(request)),
        "team": team, "names": names, "reasons": list(Reason), "currencies": CURRENCY_CHOICES,
        "sizes": list(CompanySize), "open_form": open_form, "values": values or {},
        "deal_values": _values_of_deal(detail), "errors": errors or {}, "problem": problem,
        "contact_rows": range(contact_rows), "expired": lead.outcome is Outcome.EXPIRED,
        "answerable": lead.status is Status.RECEIVED and lead.actionable and not lead.expiry_due(clock(request)),
        "working": lead.status is Status.ACCEPTED,
    }, status=status)


@router.get("/leads/{lead_id}")
def lead_page(request: Request, lead_id: str) -> Response:
    response = show(request, lead_id)
    principal = viewer_of(request).principal
    if principal.partner_id and principal.has(Role.REFERRALS_ADMIN):
        mark_read(request.app.state.engine, principal, [lead_id], now=clock(request))  # opened: no longer new
    return response


async def _act(request: Request, lead_id: str, form_name: str, action: Callable[[FormData], Any],
               done: str) -> Response:
    form = await request.form()
    try:
        action(form)
    except InvalidInput as error:
        parsed = getattr(error, "parsed", None)
        errors = forms.form_errors(error, parsed.contact_rows if parsed else ())
        if parsed:
            errors.update(parsed.problems)
        return show(request, lead_id, open_form=form_name, values=_typed(form), errors=errors,
                    problem=tr(request, "Please correct the marked fields. Nothing was changed."), status=422)
    except (InvalidTransition, Conflict) as error:
        return show(request, lead_id, problem=error.message, status=409)
    session.load(request).flash(tr(request, done))
    return redirect(f"/leads/{lead_id}")


def _with_terms(form: FormData, use: Callable[[forms.ParsedTerms], Any]) -> Any:
    parsed = forms.deal_terms(form)
    try:
        if parsed.problems:
            check_terms(parsed.terms)  # a value we could not read: still report every other problem with it
            raise InvalidInput("The deal is incomplete or invalid", fields={})
        return use(parsed)
    except InvalidInput as error:
        error.parsed = parsed  # type: ignore[attr-defined]
        raise


@router.post("/leads/{lead_id}/accept")
async def accept(request: Request, lead_id: str) -> Response:
    principal, engine, now = viewer_of(request).principal, request.app.state.engine, clock(request)
    return await _act(request, lead_id, "accept", lambda form: _with_terms(
        form, lambda parsed: lifecycle.accept_lead(engine, principal, lead_id, parsed.terms, now=now)),
        N_("Lead accepted."))


@router.post("/leads/{lead_id}/decline")
async def decline(request: Request, lead_id: str) -> Response:
    principal, engine, now = viewer_of(request).principal, request.app.state.engine, clock(request)
    return await _act(request, lead_id, "decline", lambda form: lifecycle.decline_lead(
        engine, principal, lead_id, forms.reason(form), forms.text(form, "notes"), now=now),  # type: ignore[arg-type]
        N_("Lead declined. The customer will be told to choose another partner."))


@router.post("/leads/{lead_id}/deal")
async def edit_deal(request: Request, lead_id: str) -> Response:
    principal, engine, now = viewer_of(request).principal, request.app.state.engine, clock(request)
    return await _act(request, lead_id, "deal", lambda form: _with_terms(
        form, lambda parsed: lifecycle.edit_deal(engine, principal, lead_id, forms.term_changes(parsed.terms),
                                                 now=now)),
        N_("Deal saved."))


@router.post("/leads/{lead_id}/employees")
async def add_employee(request: Request, lead_id: str) -> Response:
    principal, engine, now = viewer_of(request).principal, request.app.state.engine, clock(request)
    return await _act(request, lead_id, "employee", lambda form: lifecycle.add_deal_employee(
        engine, principal, lead_id, forms.employee(form), now=now), N_("Employee added to the deal."))


@router.post("/leads/{lead_id}/close")
async def close(request: Request, lead_id: str) -> Response:
    principal, engine, now = viewer_of(request).principal, request.app.state.engine, clock(request)
    return await _act(request, lead_id, "close", lambda form: lifecycle.close_lead(
        engine, principal, lead_id, forms.outcome(form), forms.reason(form),  # type: ignore[arg-type]
        forms.text(form, "notes"), now=now), N_("Deal closed."))
