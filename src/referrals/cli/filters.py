"""The lead-list filter options of the CLI (`referrals export`), and the LeadFilter they make: the one place
the CLI spells out the list's filters."""

from typing import Annotated

import typer

from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    QualityLabel,
    Source,
    Status,
)
from referrals.domain.listing import LeadFilter, Tab

TabOption = Annotated[Tab | None, typer.Option()]
CallToActionOption = Annotated[list[CallToAction] | None, typer.Option("--call-to-action")]
CountryOption = Annotated[list[str] | None, typer.Option("--country")]
CustomerOption = Annotated[str, typer.Option("--customer", help="Customer name contains.")]
SourceOption = Annotated[list[Source] | None, typer.Option("--source")]
TypeOption = Annotated[list[LeadType] | None, typer.Option("--type")]
QualityOption = Annotated[list[QualityLabel] | None, typer.Option("--quality")]
StatusOption = Annotated[list[Status] | None, typer.Option("--status")]
OutcomeOption = Annotated[list[Outcome] | None, typer.Option("--outcome")]
EmailValidityOption = Annotated[list[EmailValidity] | None, typer.Option("--email-validity")]
PhoneValidityOption = Annotated[list[PhoneValidity] | None, typer.Option("--phone-validity")]


def lead_filter(
    *, tab: Tab | None, call_to_action: list[CallToAction] | None, country: list[str] | None, customer: str,
    source: list[Source] | None, lead_type: list[LeadType] | None, quality: list[QualityLabel] | None,
    status: list[Status] | None, outcome: list[Outcome] | None, email_validity: list[EmailValidity] | None,
    phone_validity: list[PhoneValidity] | None,
) -> LeadFilter:
    return LeadFilter(
        tab=tab, call_to_action=frozenset(call_to_action or ()), country=frozenset(c.upper() for c in country or ()),
        customer=customer, source=frozenset(source or ()), type=frozenset(lead_type or ()),
        quality=frozenset(quality or ()), status=frozenset(status or ()), outcome=frozenset(outcome or ()),
        email_validity=frozenset(email_validity or ()), phone_validity=frozenset(phone_validity or ()),
    )
