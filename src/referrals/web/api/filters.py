"""The list's query string → the domain's LeadFilter and PageRequest. Multi-valued filters repeat
(`?status=received&status=accepted`), so a filtered list is a shareable URL."""

from typing import Annotated

from fastapi import Depends, Query

from referrals.domain.enums import CallToAction, EmailValidity, LeadType, PhoneValidity, QualityLabel, Source, Status
from referrals.domain.listing import DEFAULT_PAGE, MAX_PAGE, LeadFilter, PageRequest, Sort, Tab
from referrals.web.api.schemas_in import Text


async def lead_filter(
    tab: Tab | None = None,
    call_to_action: Annotated[list[CallToAction], Query()] = (),
    country: Annotated[list[Annotated[Text, Query(pattern="^[A-Z]{2}$")]], Query()] = (),
    customer: Annotated[Text, Query(max_length=200, description="Substring of company or names")] = "",
    source: Annotated[list[Source], Query()] = (),
    type: Annotated[list[LeadType], Query()] = (),
    quality: Annotated[list[QualityLabel], Query()] = (),
    status: Annotated[list[Status], Query()] = (),
    email_validity: Annotated[list[EmailValidity], Query()] = (),
    phone_validity: Annotated[list[PhoneValidity], Query()] = (),
) -> LeadFilter:
    return LeadFilter(
        tab=tab, call_to_action=frozenset(call_to_action), country=frozenset(country), customer=customer,
        source=frozenset(source), type=frozenset(type), quality=frozenset(quality), status=frozenset(status),
        email_validity=frozenset(email_validity), phone_validity=frozenset(phone_validity),
    )


Filter = Annotated[LeadFilter, Depends(lead_filter)]


async def page_request(
    lead_filter: Filter,
    sort: Sort = Sort.NEWEST,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    cursor: Annotated[Text | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
) -> PageRequest:
    return PageRequest(filter=lead_filter, sort=sort, limit=limit, cursor=cursor)


Page = Annotated[PageRequest, Depends(page_request)]
