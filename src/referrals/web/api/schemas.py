"""What the API answers: the shapes of leads, pages, users and problems (names follow `LeadPublic`)."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadAction,
    LeadType,
    Outcome,
    PhoneValidity,
    Qualification,
    QualityLabel,
    Reason,
    ReferrerKind,
    Source,
    Status,
    Urgency,
)
from referrals.domain.quality_words import Effect


class Problem(BaseModel):
    type: str = Field(examples=["urn:referrals:problem:validation_error"])
    title: str
    status: int
    code: str = Field(description="Stable: validation_error, invalid_json, not_found, conflict, "
                      "invalid_transition, forbidden, unauthenticated, precondition_failed, "
                      "payload_too_large, rate_limited")
    detail: str
    fields: dict[str, str] = Field(default_factory=dict, description="Each offending field and what is wrong")


class MoneyPublic(BaseModel):
    amount: str = Field(examples=["12500.00"])
    currency: str = Field(examples=["EUR"])


class OfferPublic(BaseModel):
    id: str
    title: str


class CustomerPublic(BaseModel):
    company: str
    first_name: str | None
    last_name: str | None
    title: str | None
    email: str | None = Field(description="null when withheld (the lead expired)")
    phone: str | None
    country: str | None
    company_size: str | None
    industry: str | None


class SignedFactorPublic(BaseModel):
    text: str = Field(description="The factor in English words", examples=["email invalid"])
    effect: Effect | None = Field(description="Whether it raises or lowers the chance to convert, compared with a "
                                  "typical lead; null for leads scored before factors were signed")


class QualityPublic(BaseModel):
    label: QualityLabel = Field(description="high or low, as judged when the lead arrived (any spam flag is low)")
    probability: float = Field(description="The estimated chance that the lead converts, 0 to 1")
    factors: list[str] = Field(description="The main factors in English words, strongest first")
    signed_factors: list[SignedFactorPublic] = Field(description="The same factors, each with its effect")


class ReferrerPublic(BaseModel):
    kind: ReferrerKind
    id: str | None
    email: str


class ContactPublic(BaseModel):
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str


class EmployeePublic(BaseModel):
    name: str
    email: str
    phone: str


class DealPublic(BaseModel):
    deal_name: str
    estimated_value: MoneyPublic
    team_member_ids: list[str]
    estimated_purchase_date: date
    notes: str
    campaign_id: str
    crm_id: str
    customer_contacts: list[ContactPublic]
    employees: list[EmployeePublic]


class ClosingPublic(BaseModel):
    reason: Reason | None
    notes: str


class OwnerPublic(BaseModel):
    id: str
    email: str
    name: str


class LeadPublic(BaseModel):
    id: str
    partner_id: str
    location_id: str
    type: LeadType | None
    qualification: Qualification
    source: Source
    call_to_action: CallToAction | None
    offer: OfferPublic
    referrer: ReferrerPublic
    customer: CustomerPublic
    message: str
    customer_requested_contact: bool
    status: Status
    outcome: Outcome | None
    informational: bool
    urgency: Urgency | None
    created_at: datetime
    response_due_at: datetime | None
    archive_due_at: datetime | None
    accepted_at: datetime | None
    archived_at: datetime | None
    email_validity: EmailValidity
    phone_validity: PhoneValidity
    spam_reasons: list[str]
    quality: QualityPublic
    favorite: bool
    allowed_actions: list[LeadAction] = Field(
        description="What the calling user may do to this lead now (none for readers and program staff)")
    deal: DealPublic | None
    closing: ClosingPublic | None
    is_test: bool
    owner: OwnerPublic | None = Field(description="The user who owns the lead, or null")
    etag: str


class HistoryEntryPublic(BaseModel):
    version: int
    at: datetime
    actor_id: str | None
    actor_label: str
    action: str
    from_status: Status | None
    to_status: Status
    outcome: Outcome | None
    details: dict[str, Any]


class LeadDetailPublic(LeadPublic):
    history: list[HistoryEntryPublic]


class LeadsPublic(BaseModel):
    items: list[LeadPublic]
    next_cursor: str | None


class TabCountsPublic(BaseModel):
    marketplace: int
    qualified: int
    favorites: int


class FavoritePublic(BaseModel):
    lead_id: str
    favorite: bool


class BatchItemPublic(BaseModel):
    index: int
    result: str = Field(description="created, existing or rejected")
    lead_id: str | None
    problem: Problem | None


class BatchPublic(BaseModel):
    created: int
    existing: int
    rejected: int
    results: list[BatchItemPublic]


class LocationPublic(BaseModel):
    id: str
    country: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    inbound_key_created_at: datetime | None = Field(
        description="When the live inbound key was issued (Referrals admins only; keys are shown once)"
    )


class InboundKeyPublic(BaseModel):
    location_id: str
    inbound_key: str = Field(description="Shown once: only its hash is kept")
    inbound_url: str


class InboundReceipt(BaseModel):
    lead_id: str
    created: bool
    is_test: bool
