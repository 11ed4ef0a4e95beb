"""A JSON Patch on a referral (docs/integrations.md), read into the one lifecycle action it asks for: accept, decline,
close, or edit the deal. The action itself is the lead's own transition (domain/lead.py), run by the lifecycle
services; this module only decides which, and with what, so no rule lives here that the lead does not hold.

The fields an action needs come from the document after the patch (so an accepted referral's value, currency and
closing date stay unless replaced), except the notes, which must be in the patch: a New referral's
`details/notes` shows the customer's message, which is not the partner's notes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from referrals.domain.checks import collecting
from referrals.domain.deal import Money
from referrals.domain.enums import Outcome, Reason
from referrals.domain.errors import InvalidInput, InvalidTransition
from referrals.domain.odata import UnsupportedQuery
from referrals.domain.referral_compat import SUBSTATUSES, ReferralStatus, Substatus

PATHS = ("/status", "/substatus", "/statusReason", "/details/notes", "/details/dealValue", "/details/currency",
         "/details/closingDateTime", "/team/-")
OPS = ("replace", "add")
MAX_OPS = 50


@dataclass(frozen=True)
class TeamMember:
    """The vendor's member object; matched to a partner user by email."""

    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Patch:
    values: dict[str, Any]  # path -> the last value given for it
    team: tuple[TeamMember, ...] = ()


@dataclass(frozen=True)
class Accept:
    name: str
    amount: Decimal
    currency: str
    purchase_date: date
    notes: str
    team: tuple[TeamMember, ...]  # empty: the caller


@dataclass(frozen=True)
class Decline:
    reason: Reason
    notes: str


@dataclass(frozen=True)
class Close:
    outcome: Outcome
    reason: Reason | None
    notes: str


@dataclass(frozen=True)
class Edit:
    changes: dict[str, Any] = field(default_factory=dict)  # deal term -> value (domain/deal.py: amend_terms)
    team: tuple[TeamMember, ...] = ()  # to add to the deal's team


Plan = Accept | Decline | Close | Edit


def read_patch(body: Any) -> Patch:
    """The operations, checked for shape: a list of `{"op", "path", "value"}` with supported ops and paths."""
    if not isinstance(body, list) or not body:
        raise UnsupportedQuery("body", "The body must be a JSON Patch: a non-empty array of operations.")
    if len(body) > MAX_OPS:
        raise UnsupportedQuery("body", f"A patch holds at most {MAX_OPS} operations.")
    values: dict[str, Any] = {}
    team: list[TeamMember] = []
    for index, op in enumerate(body):
        if not isinstance(op, dict) or "path" not in op or "op" not in op:
            raise UnsupportedQuery(f"[{index}]", f"Operation {index} needs an 'op' and a 'path'.")
        if op["op"] not in OPS:
            raise UnsupportedQuery(f"[{index}].op", f"The operation {op['op']!r} is not supported "
                                                    f"(supported: {', '.join(OPS)}).")
        if op["path"] not in PATHS:
            raise UnsupportedQuery(f"[{index}].path", f"The path {op['path']!r} cannot be patched "
                                                      f"(supported: {', '.join(PATHS)}).")
        if "value" not in op:
            raise InvalidInput(f"Operation {index} has no value.", fields={f"[{index}].value": "is required"})
        if op["path"] == "/team/-":
            team.append(_member(op["value"], index))
        else:
            values[op["path"]] = op["value"]
    return Patch(values, tuple(team))


def _member(value: Any, index: int) -> TeamMember:
    if not isinstance(value, dict) or not isinstance(value.get("email"), str) or not value["email"].strip():
        raise InvalidInput("A team member needs an email.", fields={f"[{index}].value.email": "is required"})
    text = {key: value.get(key) if isinstance(value.get(key), str) else "" for key in
            ("firstName", "lastName", "phoneNumber")}
    return TeamMember(value["email"].strip(), text["firstName"], text["lastName"], text["phoneNumber"])


def target(current: dict[str, Any], patch: Patch) -> tuple[ReferralStatus, Substatus]:
    """The status and substatus the patch asks for; one given alone implies the other where only one fits."""
    status_text, sub_text = patch.values.get("/status"), patch.values.get("/substatus")
    with collecting("The status is not valid") as problems:
        if status_text is not None and status_text not in tuple(ReferralStatus):
            problems.add("status", f"{status_text!r} is not one of {', '.join(ReferralStatus)}")
        if sub_text is not None and sub_text not in tuple(Substatus):
            problems.add("substatus", f"{sub_text!r} is not one of {', '.join(Substatus)}")
    if status_text is None and sub_text is None:
        return ReferralStatus(current["status"]), Substatus(current["substatus"])
    if sub_text is None:
        status = ReferralStatus(status_text)
        if status is ReferralStatus(current["status"]):
            return status, Substatus(current["substatus"])
        if len(SUBSTATUSES[status]) > 1 and status is ReferralStatus.CLOSED:
            raise InvalidInput("Closing a referral needs its substatus (Won, Lost or Declined).",
                               fields={"substatus": "is required"})
        return status, SUBSTATUSES[status][0]
    sub = Substatus(sub_text)
    status = next(s for s, subs in SUBSTATUSES.items() if sub in subs)
    if status_text is not None and ReferralStatus(status_text) is not status:
        raise InvalidInput(f"The substatus {sub} does not go with the status {status_text}.",
                           fields={"substatus": f"does not go with {status_text}"})
    return status, sub


def plan(current: dict[str, Any], patch: Patch) -> Plan:
    """The action the patch asks of the referral `current` (its document as read)."""
    now_status, now_sub = ReferralStatus(current["status"]), Substatus(current["substatus"])
    status, sub = target(current, patch)
    if (status, sub) == (now_status, now_sub):
        return _edit(current, patch)
    if sub is Substatus.ACCEPTED:
        return _accept(current, patch)
    if sub is Substatus.DECLINED:
        return _decline(patch)
    if sub in (Substatus.WON, Substatus.LOST):
        return _close(patch, Outcome.WON if sub is Substatus.WON else Outcome.LOST)
    raise InvalidTransition(f"A referral cannot be moved to {status}/{sub}: only to Active/Accepted, "
                            "Closed/Declined, Closed/Won or Closed/Lost.")


def _after(current: dict[str, Any], patch: Patch, name: str) -> Any:
    return patch.values.get(f"/details/{name}", current["details"].get(name))


def _accept(current: dict[str, Any], patch: Patch) -> Accept:
    amount, currency = _after(current, patch, "dealValue"), _after(current, patch, "currency")
    closing, notes = _after(current, patch, "closingDateTime"), patch.values.get("/details/notes")
    with collecting("Accepting the referral needs more") as problems:
        if amount is None:
            problems.add("details/dealValue", "is required")
        if not currency:
            problems.add("details/currency", "is required")
        if not closing:
            problems.add("details/closingDateTime", "is required")
        if not isinstance(notes, str) or not notes.strip():
            problems.add("details/notes", "is required")
    return Accept(current["name"], _amount(amount), _text(currency, "details/currency"),
                  _date(closing), notes, patch.team)


def _decline(patch: Patch) -> Decline:
    reason, notes = patch.values.get("/statusReason"), patch.values.get("/details/notes")
    with collecting("Declining the referral needs more") as problems:
        if reason is None:
            problems.add("statusReason", "is required")
        elif reason not in tuple(Reason):
            problems.add("statusReason", f"{reason!r} is not one of {', '.join(Reason)}")
        if not isinstance(notes, str) or not notes.strip():
            problems.add("details/notes", "is required")
    return Decline(Reason(reason), notes)


def _close(patch: Patch, outcome: Outcome) -> Close:
    reason, notes = patch.values.get("/statusReason"), patch.values.get("/details/notes", "")
    with collecting("Closing the referral needs more") as problems:
        if outcome is Outcome.LOST and reason is None:
            problems.add("statusReason", "is required when the deal is lost")
        if reason is not None and reason not in tuple(Reason):
            problems.add("statusReason", f"{reason!r} is not one of {', '.join(Reason)}")
        if not isinstance(notes, str):
            problems.add("details/notes", "must be text")
    return Close(outcome, None if reason is None else Reason(reason), notes)


def _edit(current: dict[str, Any], patch: Patch) -> Edit:
    """The deal's changes; on a lead without a deal the lead's own guard refuses them (Lead.edit_deal)."""
    names = {"/details/notes": "notes", "/details/closingDateTime": "purchase_date"}
    changes: dict[str, Any] = {}
    for path, value in patch.values.items():
        if path in names:
            changes[names[path]] = _date(value) if names[path] == "purchase_date" else _text(value, path[1:])
        elif path == "/statusReason":
            raise InvalidTransition("statusReason is set only when declining or closing a referral.")
    if "/details/dealValue" in patch.values or "/details/currency" in patch.values:
        amount = _after(current, patch, "dealValue")
        currency = _after(current, patch, "currency") or ""
        changes["value"] = Money(Decimal(0) if amount is None else _amount(amount), _text(currency, "details/currency"))
    return Edit(changes, patch.team)


def _amount(value: Any) -> Decimal:
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount.", fields={"details/dealValue": "must be a number"}) from None
    return amount.quantize(Decimal("0.01"))


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.", fields={name: "must be text"})
    return value


def _date(value: Any) -> date:
    """closingDateTime: an ISO date, or a datetime whose (UTC) day is taken."""
    try:
        if not isinstance(value, str):
            raise ValueError
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date.",
                           fields={"details/closingDateTime": "must be an ISO 8601 date or datetime"}) from None


def team_ids(members: Sequence[TeamMember], users_by_email: dict[str, str]) -> tuple[str, ...]:
    """The partner users the members name (by email, case-insensitively); an unknown one is refused by email."""
    unknown = [m.email for m in members if m.email.lower() not in users_by_email]
    if unknown:
        raise InvalidInput(f"Team members must be active users of your partner; unknown: {', '.join(unknown)}",
                           fields={"team": f"unknown: {', '.join(unknown)}"})
    return tuple(dict.fromkeys(users_by_email[m.email.lower()] for m in members))
