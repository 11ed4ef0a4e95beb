"""The lead page's actions, declared once: for each of the domain's `LeadAction`s, the path its form posts
to, how the form is read into the service's arguments, the service that does it and what the page says
when it is done. lead_detail.py makes one POST route of each row, and lead.html shows the form
`templates/actions/_<action>.html` of each action `Lead.allowed_actions` allows the viewer now."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from referrals.domain.deal import check_terms
from referrals.domain.enums import LeadAction
from referrals.domain.errors import InvalidInput
from referrals.services import lifecycle, ownership
from referrals.web.labels import N_
from referrals.web.pages import forms


@dataclass(frozen=True)
class Submitted:
    """A form as its service takes it: the arguments after the lead id. For the deal forms also the
    problems found before asking the service (a value that is not even readable, with every other problem
    the domain finds in the terms, so all show at once) and the form row each customer contact came from."""

    args: tuple[Any, ...]
    problems: dict[str, str] = field(default_factory=dict)
    contact_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class PageAction:
    action: LeadAction
    path: str  # the form posts to /leads/{lead_id}/<path>
    read: Callable[[FormData], Submitted]
    service: Callable[..., Any]  # service(engine, principal, lead_id, *submitted.args, now=now)
    done: str  # the flash message once done, translated when shown
    group: str  # the card its form shows in: "answer" (a received lead), "work" (the deal of an accepted one), "owner"

    @property
    def template(self) -> str:
        return f"actions/_{self.action}.html"


def _terms(form: FormData, as_changes: bool = False) -> Submitted:
    parsed = forms.deal_terms(form)
    problems = dict(parsed.problems)
    if problems:
        try:
            check_terms(parsed.terms)
        except InvalidInput as error:
            problems = {**forms.form_errors(error, parsed.contact_rows), **problems}
    terms = forms.term_changes(parsed.terms) if as_changes else parsed.terms
    return Submitted((terms,), problems, parsed.contact_rows)


def _deal_changes(form: FormData) -> Submitted:
    return _terms(form, as_changes=True)


def _decline(form: FormData) -> Submitted:
    return Submitted((forms.reason(form), forms.text(form, "notes")))


def _employee(form: FormData) -> Submitted:
    return Submitted((forms.employee(form),))


def _owner(form: FormData) -> Submitted:
    return Submitted((forms.text(form, "user_id") or None,))


def _close(form: FormData) -> Submitted:
    return Submitted((forms.outcome(form), forms.reason(form), forms.text(form, "notes")))


PAGE_ACTIONS: dict[LeadAction, PageAction] = {row.action: row for row in (
    PageAction(LeadAction.ACCEPT, "accept", _terms, lifecycle.accept_lead, N_("Lead accepted."), "answer"),
    PageAction(LeadAction.DECLINE, "decline", _decline, lifecycle.decline_lead,
               N_("Lead declined. The customer will be told to choose another partner."), "answer"),
    PageAction(LeadAction.EDIT_DEAL, "deal", _deal_changes, lifecycle.edit_deal, N_("Deal saved."), "work"),
    PageAction(LeadAction.ADD_EMPLOYEE, "employees", _employee, lifecycle.add_deal_employee,
               N_("Employee added to the deal."), "work"),
    PageAction(LeadAction.CLOSE, "close", _close, lifecycle.close_lead, N_("Deal closed."), "work"),
    PageAction(LeadAction.ASSIGN, "owner", _owner, ownership.set_owner, N_("Owner saved."), "owner"),
)}
