"""What the API accepts. Types, enums and sizes are checked here; the business rules (required notes,
ISO codes, valid emails of deal contacts...) stay in the domain, which names each offending field."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from referrals.domain.deal import CustomerContact, DealTerms, Employee, Money
from referrals.domain.enums import CallToAction, LeadType, Qualification, Reason, Source
from referrals.domain.errors import InvalidInput
from referrals.domain.text import clean_text
from referrals.domain.vocab import CompanySize, Industry


# The input policy (domain/text.py): no control characters, NUL or lone surrogates; multi-line text keeps tab and
# line feed, and its CRLF becomes LF. Numbers: pydantic refuses NaN and infinities (allow_inf_nan is off).
def _clean_lines(value: str) -> str:
    return clean_text(value, multiline=True)


Text = Annotated[str, AfterValidator(clean_text)]
MultilineText = Annotated[str, AfterValidator(_clean_lines)]


def text(max_length: int, **kwargs: Any) -> Any:
    return Field(max_length=max_length, **kwargs)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoneyIn(Strict):
    amount: Decimal = Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2, examples=["12500.00"])
    currency: Text = Field(min_length=3, max_length=3, examples=["EUR"])

    def to_domain(self) -> Money:
        return Money(self.amount, self.currency)


class OfferIn(Strict):
    id: Text = text(200, default="")
    title: Text = text(300, default="")


class CustomerIn(Strict):
    company: Text = text(320, default="")
    first_name: Text = text(320, default="")
    last_name: Text = text(320, default="")
    title: Text = text(320, default="")
    email: Text = text(320, default="", description="Kept even when malformed: email_validity says so")
    phone: Text = text(320, default="")
    country: Text | None = Field(default=None, max_length=2, description="ISO 3166 alpha-2")
    company_size: CompanySize | None = None
    industry: Industry | None = None


class CreateLead(Strict):
    partner_id: Text = text(64)
    location_id: Text | None = text(64, default=None)
    type: LeadType | None = Field(default=None, description="offer or profile; omitted for qualified leads")
    qualification: Qualification
    source: Source
    call_to_action: CallToAction | None = Field(default=None, description="offer leads only")
    offer: OfferIn = Field(default_factory=OfferIn)
    customer: CustomerIn
    message: MultilineText = text(10000, default="")
    customer_requested_contact: bool = False
    external_id: Text | None = text(200, default=None, description="Idempotency: the same id answers 200")


LEAD_SCHEMA_REF = {"items": {"$ref": "#/components/schemas/CreateLead"}}


class CreateLeads(Strict):
    leads: list[dict[str, Any]] = Field(
        min_length=1, max_length=1000, json_schema_extra=LEAD_SCHEMA_REF,
        description="Up to 1,000 CreateLead objects; each is accepted or rejected on its own",
    )


class ContactIn(Strict):
    first_name: Text = text(100)
    last_name: Text = text(100)
    email: Text = text(320)
    phone: Text = text(50, default="")
    title: Text = text(200, default="")

    def to_domain(self) -> CustomerContact:
        return CustomerContact(self.first_name, self.last_name, self.email, self.phone, self.title)


TeamIds = Annotated[list[Annotated[Text, Field(max_length=64)]], Field(max_length=50)]
Contacts = Annotated[list[ContactIn], Field(max_length=20)]


class AcceptLead(Strict):
    deal_name: Text = text(200)
    estimated_value: MoneyIn
    team_member_ids: TeamIds
    estimated_purchase_date: date
    notes: MultilineText = text(4000)
    campaign_id: Text = text(100, default="")
    crm_id: Text = text(100, default="")
    customer_contacts: Contacts = Field(default_factory=list)

    def to_terms(self) -> DealTerms:
        return DealTerms(
            name=self.deal_name, value=self.estimated_value.to_domain(), team_member_ids=tuple(self.team_member_ids),
            purchase_date=self.estimated_purchase_date, notes=self.notes, campaign_id=self.campaign_id,
            crm_id=self.crm_id, customer_contacts=tuple(c.to_domain() for c in self.customer_contacts),
        )


class EditDeal(Strict):
    """Any accept field; only the fields sent change."""

    deal_name: Text | None = text(200, default=None)
    estimated_value: MoneyIn | None = None
    team_member_ids: TeamIds | None = None
    estimated_purchase_date: date | None = None
    notes: MultilineText | None = text(4000, default=None)
    campaign_id: Text | None = text(100, default=None)
    crm_id: Text | None = text(100, default=None)
    customer_contacts: Contacts | None = None

    def to_changes(self) -> dict[str, Any]:
        sent = self.model_fields_set
        if not sent:
            raise InvalidInput("Nothing to change: send at least one deal field.", fields={"body": "is empty"})
        nulls = [name for name in sorted(sent) if getattr(self, name) is None]
        if nulls:
            raise InvalidInput("Deal fields cannot be null.", fields={name: "cannot be null" for name in nulls})
        changes: dict[str, Any] = {}
        for api_name, term in _DEAL_TERMS.items():
            if api_name in sent:
                value = getattr(self, api_name)
                changes[term] = _DEAL_CONVERT.get(api_name, lambda v: v)(value)
        return changes


_DEAL_TERMS = {
    "deal_name": "name", "estimated_value": "value", "team_member_ids": "team_member_ids",
    "estimated_purchase_date": "purchase_date", "notes": "notes", "campaign_id": "campaign_id",
    "crm_id": "crm_id", "customer_contacts": "customer_contacts",
}
_DEAL_CONVERT = {
    "estimated_value": lambda v: v.to_domain(),
    "team_member_ids": tuple,
    "customer_contacts": lambda contacts: tuple(c.to_domain() for c in contacts),
}


class DeclineLead(Strict):
    reason: Reason
    notes: MultilineText = text(4000)


class AssignLead(Strict):
    user_id: str = Field(min_length=1, max_length=32, pattern=r"^[0-9a-z]+$",
                         description="An active user of the lead's partner")


class CloseLead(Strict):
    outcome: Literal["won", "lost"]
    reason: Reason | None = Field(default=None, description="Required when the deal is lost")
    notes: MultilineText = text(4000, default="")


class AddEmployee(Strict):
    name: Text = text(200)
    email: Text = text(320)
    phone: Text = text(50, default="")

    def to_domain(self) -> Employee:
        return Employee(self.name, self.email, self.phone)


class MarketplaceUserDetails(BaseModel):
    model_config = ConfigDict(extra="allow")
    FirstName: Any = None
    LastName: Any = None
    Email: Any = None
    Phone: Any = None
    Country: Any = Field(default=None, description="A name or a code; stored as ISO alpha-2 when recognised")
    Company: Any = None
    Title: Any = None


class MarketplacePayload(BaseModel):
    """The marketplace lead-destination payload, exactly as marketplaces send it."""

    model_config = ConfigDict(extra="allow")
    UserDetails: MarketplaceUserDetails
    LeadSource: Any = Field(default=None, examples=["AzureMarketplace-INS|publisher.offer"])
    ActionCode: Any = Field(default=None, examples=["PLT"], description="INS, PLT, StartTestDrive, Create, DNC")
    OfferTitle: Any = None
    Description: Any = None
