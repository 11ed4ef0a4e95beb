"""The vocabularies of PRODUCT.md sections 2 and 3, and the named groups the rules use."""

from enum import StrEnum


class LeadType(StrEnum):
    OFFER = "offer"
    PROFILE = "profile"


class Qualification(StrEnum):
    DIRECT = "direct"  # a marketplace lead: offer or profile
    MARKETING = "marketing"  # marketing-qualified, sent by the program's marketing staff
    SALES = "sales"  # sales-qualified, sent by a program seller


class Source(StrEnum):
    APPSOURCE = "appsource"
    AZURE_MARKETPLACE = "azure_marketplace"
    AZURE_PORTAL = "azure_portal"


class CallToAction(StrEnum):
    GET_IT_NOW = "get_it_now"
    FREE_TRIAL = "free_trial"
    TEST_DRIVE = "test_drive"
    CONTACT_ME = "contact_me"


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    ARCHIVED = "archived"


class Outcome(StrEnum):
    WON = "won"
    LOST = "lost"
    DECLINED = "declined"
    EXPIRED = "expired"


class EmailValidity(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    SPAM = "spam"
    UNKNOWN = "unknown"


class PhoneValidity(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


class QualityLabel(StrEnum):
    HIGH = "high"
    LOW = "low"


class Urgency(StrEnum):
    HOT = "hot"  # the customer asked to be contacted less than 72 hours ago
    WAITING = "waiting"  # still worth a call until the lead expires


class Reason(StrEnum):
    """Why a lead was declined or a deal lost (one list serves both, as in PRODUCT.md)."""

    BUDGET_NOT_ADEQUATE = "budget_not_adequate"
    CUSTOMER_DID_NOT_RESPOND = "customer_did_not_respond"
    CHOSE_ANOTHER_VENDOR = "chose_another_vendor"
    REQUIREMENT_NOT_MET = "requirement_not_met"
    NOT_A_CUSTOMER = "not_a_customer"
    TIMELINE_TOO_SHORT = "timeline_too_short"
    SPAM = "spam"
    OTHER = "other"


class Action(StrEnum):
    """What a history entry records."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DEAL_EDITED = "deal_edited"
    EMPLOYEE_ADDED = "employee_added"
    WON = "won"
    LOST = "lost"
    EXPIRED = "expired"
    RETIRED = "retired"  # an informational lead archived after six months
    ASSIGNED = "assigned"  # a new owner (details: owner_id, previous_owner_id, rule)
    UNASSIGNED = "unassigned"  # no owner any more (details: previous_owner_id, why)


class LeadAction(StrEnum):
    """What a person may do to a lead (`Lead.allowed_actions`); hearting is the user's own and not listed."""

    ACCEPT = "accept"
    DECLINE = "decline"
    EDIT_DEAL = "edit_deal"
    ADD_EMPLOYEE = "add_employee"
    CLOSE = "close"
    ASSIGN = "assign"  # give the lead an owner, change or remove it


class Role(StrEnum):
    REFERRALS_ADMIN = "referrals-admin"
    REFERRALS_USER = "referrals-user"
    BUSINESS_PROFILE_ADMIN = "business-profile-admin"
    PROGRAM_ADMIN = "program-admin"
    PROGRAM_SELLER = "program-seller"


class ReferrerKind(StrEnum):
    MARKETPLACE = "marketplace"
    STAFF = "staff"
    PARTNER = "partner"
    DIRECTORY = "directory"


INFORMATIONAL_CALLS_TO_ACTION = frozenset(
    {CallToAction.GET_IT_NOW, CallToAction.FREE_TRIAL, CallToAction.TEST_DRIVE}
)
ACTIONABLE_CALLS_TO_ACTION = frozenset({CallToAction.CONTACT_ME})
QUALIFIED = frozenset({Qualification.MARKETING, Qualification.SALES})
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.ACCEPTED})
PARTNER_ROLES = frozenset({Role.REFERRALS_ADMIN, Role.REFERRALS_USER, Role.BUSINESS_PROFILE_ADMIN})
PROGRAM_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER})
LEAD_ACTING_ROLES = frozenset({Role.REFERRALS_ADMIN})
LEAD_READING_ROLES = frozenset({Role.REFERRALS_ADMIN, Role.REFERRALS_USER})
