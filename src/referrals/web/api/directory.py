"""The business profile (the caller's partner) and the public partner directory: search, a partner's
public profile, and the Contact me request that becomes a profile lead."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, Field

from referrals.domain.errors import InvalidInput
from referrals.domain.profile import Profile, ProfileLocation
from referrals.domain.vocab import CompanySize, Industry
from referrals.services.directory import (
    ContactRequest,
    SearchQuery,
    contact_partner,
    public_profile,
    search,
)
from referrals.services.profiles import get_profile, save_profile
from referrals.web.api.common import AUTHED, problems
from referrals.web.api.schemas_in import MultilineText, Text
from referrals.web.client import client_key
from referrals.web.deps import EngineDep, Now, PartnerMember, ReadEngineDep
from referrals.web.errors import RateLimited

router = APIRouter(tags=["directory"])

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["IT"])]
Text100 = Annotated[Text, Field(max_length=100)]


class LocationIn(BaseModel):
    id: Text | None = Field(default=None, description="Omit for a new location")
    country: Country
    city: Text = Field(default="", max_length=200)
    address: Text = Field(default="", max_length=500)
    contact_name: Text = Field(default="", max_length=200)
    contact_email: Text = Field(default="", max_length=320, description="Who gets alerted of profile leads")
    contact_phone: Text = Field(default="", max_length=50)


class ProfileIn(BaseModel):
    name: Text = Field(min_length=1, max_length=200)
    description: MultilineText = Field(default="", max_length=5000)
    website: Text = Field(default="", max_length=300)
    keywords: list[Text100] = Field(default_factory=list, max_length=50)
    industries: list[Industry] = Field(default_factory=list)
    products: list[Text100] = Field(default_factory=list, max_length=50)
    company_sizes: list[CompanySize] = Field(default_factory=list)
    countries: list[Country] = Field(default_factory=list, max_length=250)
    published: bool = False
    locations: list[LocationIn] = Field(default_factory=list, max_length=200)


class LocationPublicView(BaseModel):
    id: str
    country: str
    city: str
    address: str


class ProfileLocationPublic(LocationPublicView):
    contact_name: str
    contact_email: str
    contact_phone: str


class DirectoryProfilePublic(BaseModel):
    """What customers see: no alert contacts."""

    partner_id: str
    name: str
    description: str
    website: str
    keywords: list[str]
    industries: list[str]
    products: list[str]
    company_sizes: list[str]
    countries: list[str]
    locations: list[LocationPublicView]


class ProfilePublic(DirectoryProfilePublic):
    """What the partner's own people see: the alert contacts and whether it is published."""

    published: bool
    locations: list[ProfileLocationPublic]


class ScoreParts(BaseModel):
    relevance: float
    fit: float
    responsiveness: float
    preference: float


class DirectoryHit(BaseModel):
    partner_id: str
    name: str
    description: str
    location: LocationPublicView | None
    score: float
    score_parts: ScoreParts


class DirectoryResults(BaseModel):
    items: list[DirectoryHit]


class ContactIn(BaseModel):
    location_id: Text = Field(max_length=64, description="The location shown in the search result")
    company: Text = Field(max_length=200)
    first_name: Text = Field(default="", max_length=100)
    last_name: Text = Field(max_length=100)
    email: Text = Field(max_length=320)
    phone: Text = Field(default="", max_length=50)
    country: Country | None = None
    company_size: CompanySize | None = None
    industry: Industry | None = None
    need: MultilineText = Field(max_length=4000)
    consent: bool = Field(description="The customer agrees to be contacted by this partner")
    website: str = Field(default="", max_length=200, description="Leave empty (a trap for bots)")


class ContactReceipt(BaseModel):
    receipt: str
    message: str


def _profile_public(profile: Profile) -> ProfilePublic:
    return ProfilePublic(
        **{k: v for k, v in vars(profile).items() if k != "locations"},
        locations=[ProfileLocationPublic(**vars(loc)) for loc in profile.locations],
    )


@router.get("/profile", response_model=ProfilePublic, responses=AUTHED)
def my_profile(principal: PartnerMember, engine: EngineDep) -> ProfilePublic:
    """The caller's partner's business profile (everyone in the partner sees it)."""
    return _profile_public(get_profile(engine, principal))


@router.put("/profile", response_model=ProfilePublic, responses=AUTHED)
def update_profile(body: ProfileIn, principal: PartnerMember, engine: EngineDep, now: Now) -> ProfilePublic:
    """Replace the business profile and its locations (Business profile admins)."""
    places = tuple(ProfileLocation(**{**loc.model_dump(), "id": loc.id or ""}) for loc in body.locations)
    data = body.model_dump(exclude={"locations"})
    profile = Profile(
        partner_id="", **{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}, locations=places
    )
    return _profile_public(save_profile(engine, principal, profile, now=now))


@router.get("/directory/search", response_model=DirectoryResults)
def directory_search(
    engine: ReadEngineDep,
    q: str = Query("", max_length=200),
    country: str | None = Query(None, pattern=r"^[A-Z]{2}$"),
    company_size: CompanySize | None = None,
    industry: Industry | None = None,
    limit: int = Query(20, ge=1, le=50),
) -> DirectoryResults:
    """Public: published partners ranked by relevance × fit × responsiveness × preference."""
    hits = search(engine, SearchQuery(q, country, company_size, industry, limit))
    return DirectoryResults(
        items=[
            DirectoryHit(
                partner_id=hit.partner_id,
                name=hit.name,
                description=hit.description,
                location=LocationPublicView(
                    **{k: getattr(hit.location, k) for k in ("id", "country", "city", "address")}
                )
                if hit.location
                else None,
                score=round(hit.score.total, 6),
                score_parts=ScoreParts(**{k: round(v, 6) for k, v in vars(hit.score).items()}),
            )
            for hit in hits
        ]
    )


@router.get("/directory/{partner_id}", response_model=DirectoryProfilePublic, responses=problems(404))
def directory_profile(partner_id: str, engine: EngineDep) -> DirectoryProfilePublic:
    """Public: a published partner's profile."""
    profile = public_profile(engine, partner_id)
    data = {k: v for k, v in vars(profile).items() if k not in ("locations", "published")}
    return DirectoryProfilePublic(
        **data,
        locations=[
            LocationPublicView(id=loc.id, country=loc.country, city=loc.city, address=loc.address)
            for loc in profile.locations
        ],
    )


def _limit_contacts(request: Request) -> None:
    wait = request.app.state.directory_limiter.take(client_key(request))
    if wait:
        raise RateLimited(
            "Too many requests from your address; try again in a minute.", retry_after=max(1, round(wait))
        )


@router.post(
    "/directory/{partner_id}/contact",
    response_model=ContactReceipt,
    status_code=status.HTTP_201_CREATED,
    responses=problems(404, 422, 429),
    dependencies=[Depends(_limit_contacts)],
)
def directory_contact(partner_id: str, body: ContactIn, engine: EngineDep, now: Now) -> ContactReceipt:
    """Public: a customer asks this partner to get in touch. Answers a receipt, never the lead."""
    if body.website:
        raise InvalidInput("The request was refused.", fields={"website": "must be left empty"})
    request = ContactRequest(**body.model_dump(exclude={"website"}))
    receipt = contact_partner(engine, partner_id, request, now=now)
    return ContactReceipt(
        receipt=receipt,
        message="Thank you. The partner has your request and will contact you "
        "within a few working days; partners have 14 days to answer.",
    )
