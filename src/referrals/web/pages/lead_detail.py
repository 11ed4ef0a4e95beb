"""One lead: what it is, where it stands, its history, and the forms that move it on: one form for each
action the domain allows the viewer now (`Lead.allowed_actions`), one POST route for each row of
lead_actions.PAGE_ACTIONS.

A form with problems comes back with each message next to its field and the values as typed; nothing
was changed, because the service refused it in one transaction.
"""

from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import Outcome, Reason, Role
from referrals.domain.errors import Conflict, InvalidInput, InvalidTransition
from referrals.domain.lead import visible_customer
from referrals.domain.vocab import CompanySize
from referrals.services.action_center import mark_read
from referrals.services.partner import list_users
from referrals.services.reading import LeadDetail, get_lead
from referrals.web import session
from referrals.web.deps import EngineDep, Now
from referrals.web.pages import forms
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, tr
from referrals.web.pages.lead_actions import PAGE_ACTIONS, PageAction

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CURRENCY_CHOICES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "PLN")


def _values_of_deal(detail: LeadDetail) -> dict[str, Any]:
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


def show(request: Request, engine: Engine, user: Principal, now: datetime, lead_id: str, *,
         open_form: str | None = None, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
         problem: str | None = None, status: int = 200) -> Response:
    detail = get_lead(engine, user, lead_id)
    team = list_users(engine, user)
    lead = detail.lead
    allowed = [PAGE_ACTIONS[action] for action in lead.allowed_actions(now, user)]
    contact_rows = max(forms.CONTACT_ROWS, len(lead.deal.terms.customer_contacts) + 1 if lead.deal else 0)
    return render(request, "lead.html", {
        "detail": detail, "lead": lead, "customer": visible_customer(lead), "urgency": lead.urgency(now),
        "team": team, "names": {member.id: member.name or member.email for member in team},
        "reasons": list(Reason), "currencies": CURRENCY_CHOICES, "sizes": list(CompanySize),
        "open_form": open_form, "values": values or {}, "deal_values": _values_of_deal(detail),
        "errors": errors or {}, "problem": problem, "contact_rows": range(contact_rows),
        "expired": lead.outcome is Outcome.EXPIRED,
        "action_groups": [(group, list(rows)) for group, rows in groupby(allowed, key=lambda row: row.group)],
    }, status=status)


@router.get("/leads/{lead_id}")
def lead_page(request: Request, lead_id: str, user: PageUser, engine: EngineDep, now: Now) -> Response:
    response = show(request, engine, user, now, lead_id)
    if user.partner_id and user.has(Role.REFERRALS_ADMIN):
        mark_read(engine, user, [lead_id], now=now)  # opened: no longer new
    return response


def _act(request: Request, row: PageAction, form: FormData, lead_id: str, user: Principal, engine: Engine,
         now: datetime) -> Response:
    submitted = row.read(form)
    refused: dict[str, str] | None = submitted.problems or None
    if refused is None:
        try:
            row.service(engine, user, lead_id, *submitted.args, now=now)
        except InvalidInput as error:
            refused = forms.form_errors(error, submitted.contact_rows)
        except (InvalidTransition, Conflict) as error:
            return show(request, engine, user, now, lead_id, problem=error.message, status=409)
    if refused is not None:
        return show(request, engine, user, now, lead_id, open_form=row.action, values=_typed(form), errors=refused,
                    problem=tr(request, "Please correct the marked fields. Nothing was changed."), status=422)
    session.load(request).flash(tr(request, row.done))
    return redirect(f"/leads/{lead_id}")


def _route(row: PageAction) -> Callable[..., Response]:
    def act(request: Request, lead_id: str, form: PostedForm, user: PageUser, engine: EngineDep,
            now: Now) -> Response:
        return _act(request, row, form, lead_id, user, engine, now)

    act.__name__ = f"lead_{row.action}"
    return act


for _row in PAGE_ACTIONS.values():
    router.add_api_route(f"/leads/{{lead_id}}/{_row.path}", _route(_row), methods=["POST"])
