"""The marketplace lead-destination payload, as marketplaces POST it to a partner's HTTPS endpoint:

    {"UserDetails": {"FirstName", "LastName", "Email", "Phone", "Country", "Company", "Title"},
     "LeadSource": "AzureMarketplace-INS|publisher.offer", "ActionCode": "INS",
     "OfferTitle": "...", "Description": "..."}

Mapped onto an offer lead. Action codes: INS → Get it now, PLT → Contact me, StartTestDrive → Test drive,
Create → Get it now from the Azure portal, DNC ("do not contact") → an informational Get it now lead
without the email and phone, so nobody calls a customer who declined contact. Unknown codes and
sources are refused, naming the code.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from referrals.adapters.countries import to_alpha2
from referrals.domain.enums import CallToAction, LeadType, Qualification, ReferrerKind, Source
from referrals.domain.errors import InvalidInput
from referrals.domain.lead import Customer, Origin
from referrals.domain.text import clean_text, normalise_newlines, number_problem, text_problem

ACTIONS = {
    "ins": CallToAction.GET_IT_NOW,
    "plt": CallToAction.CONTACT_ME,
    "starttestdrive": CallToAction.TEST_DRIVE,
    "create": CallToAction.GET_IT_NOW,
    "dnc": CallToAction.GET_IT_NOW,
}
SOURCES = {
    "azuremarketplace": Source.AZURE_MARKETPLACE,
    "appsource": Source.APPSOURCE,
    "spza": Source.APPSOURCE,  # AppSource's historical code
    "azureportal": Source.AZURE_PORTAL,
}
TEST_PREFIX = "msft_test"
_DETAILS = ("FirstName", "LastName", "Email", "Phone", "Country", "Company", "Title")
_MULTILINE = frozenset({"Description"})  # the customer's message; every other field is one line


@dataclass(frozen=True)
class MarketplaceLead:
    origin: Origin
    customer: Customer
    message: str
    customer_requested_contact: bool
    is_test: bool


def fingerprint(payload: dict[str, Any]) -> str:
    """The same payload, whatever its key order or spacing, has the same fingerprint."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _text(value: Any, *, multiline: bool = False) -> str:
    """A payload field as text under the input policy: TypeError for a list or an object, ValueError naming what
    else is wrong (a NaN or infinite number, a control character, a lone surrogate)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError("must be a string")
    if isinstance(value, float) and (problem := number_problem(value)) is not None:
        raise ValueError(problem)
    return clean_text(str(value), multiline=multiline).strip()


def _shown(key: str) -> str:
    """A key as an answer can name it: escaped when it breaks the policy (a lone surrogate cannot be encoded)."""
    return key if text_problem(key) is None else key.encode("unicode_escape").decode("ascii")


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(normalise_newlines(value), multiline=True)
    return number_problem(value) if isinstance(value, float) else None


def _kept_problems(payload: dict[str, Any], limit: int = 20) -> dict[str, str]:
    """The whole payload is kept as sent, so every string in it (keys too) meets the policy of multi-line text
    and every number is finite, at any depth, each named by its path. A loop, not recursion: the sender
    chooses the nesting."""
    found: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", payload)]
    while stack and len(found) < limit:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{_shown(key)}" if path else _shown(key)
                if (problem := _value_problem(key)) is not None:
                    found.setdefault(where, f"its name {problem}")
                stack.append((where, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
        elif (problem := _value_problem(value)) is not None:
            found.setdefault(path or "body", problem)
    return found


def _split_source(lead_source: str) -> tuple[str, str, str]:
    """"AzureMarketplace-INS|publisher.offer" → ("AzureMarketplace", "INS", "publisher.offer")."""
    head, _, offer_id = lead_source.partition("|")
    source, _, action = head.partition("-")
    return source.strip(), action.strip(), offer_id.strip()


def _fields(payload: dict[str, Any]) -> dict[str, str]:
    if not isinstance(payload, dict):
        raise InvalidInput("The payload must be a JSON object.", fields={"body": "must be a JSON object"})
    details = payload.get("UserDetails")
    if not isinstance(details, dict):
        problem = "is required" if details is None else "must be an object"
        raise InvalidInput(f"UserDetails {problem}.", fields={"UserDetails": problem})
    values, bad = {}, {}
    for path, container, name in [
        *((f"UserDetails.{n}", details, n) for n in _DETAILS),
        *((n, payload, n) for n in ("LeadSource", "ActionCode", "OfferTitle", "Description")),
    ]:
        try:
            values[name] = _text(container.get(name), multiline=name in _MULTILINE)
        except (TypeError, ValueError) as error:
            bad[path] = str(error)
    for path, problem in _kept_problems(payload).items():
        bad.setdefault(path, problem)
    if bad:
        raise InvalidInput("The payload has fields of the wrong type or with characters that are not allowed.",
                           fields=bad)
    return values


def _origin(values: dict[str, str]) -> tuple[Origin, str]:
    source_code, code_in_source, offer_id = _split_source(values["LeadSource"])
    code = values["ActionCode"] or code_in_source
    if not code:
        raise InvalidInput("The action code is missing.", fields={"ActionCode": "is required"})
    action = ACTIONS.get(code.casefold())
    if action is None:
        known = "INS, PLT, StartTestDrive, Create, DNC"
        raise InvalidInput(
            f"Unknown action code {code!r}.", fields={"ActionCode": f"{code!r} is not one of {known}"}
        )
    if code.casefold() == "create":
        source = Source.AZURE_PORTAL
    elif not source_code:
        source = Source.AZURE_MARKETPLACE
    elif (source := SOURCES.get(source_code.casefold())) is None:
        raise InvalidInput(
            f"Unknown lead source {source_code!r}.",
            fields={"LeadSource": f"{source_code!r} is not one of AzureMarketplace, AppSource, AzurePortal"},
        )
    origin = Origin(
        qualification=Qualification.DIRECT, source=source, type=LeadType.OFFER, call_to_action=action,
        offer_id=offer_id, offer_title=values["OfferTitle"], referrer_kind=ReferrerKind.MARKETPLACE,
    )
    return origin, code.casefold()


def parse(payload: dict[str, Any]) -> MarketplaceLead:
    """The lead a payload describes; InvalidInput naming the payload's own field names otherwise."""
    values = _fields(payload)
    origin, code = _origin(values)
    if not any(values[n] for n in ("Company", "LastName", "Email")):
        raise InvalidInput(
            "The customer is missing.", fields={"UserDetails": "needs at least a Company, LastName or Email"}
        )
    do_not_contact = code == "dnc"
    customer = Customer(
        company=values["Company"], first_name=values["FirstName"], last_name=values["LastName"],
        title=values["Title"], email="" if do_not_contact else values["Email"],
        phone="" if do_not_contact else values["Phone"], country=to_alpha2(values["Country"]),
    )
    names = (values["FirstName"], values["LastName"])
    is_test = any(name.casefold().startswith(TEST_PREFIX) for name in names)
    return MarketplaceLead(origin, customer, values["Description"], code == "plt", is_test)
