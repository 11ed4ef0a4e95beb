"""The words the pages show for each vocabulary value, and for the domain's field messages.

Strings are marked with N_ so `pybabel extract` finds them; they are translated when shown.
"""

from referrals.domain.enums import (
    Action,
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    Qualification,
    QualityLabel,
    Reason,
    ReferrerKind,
    Source,
    Status,
)
from referrals.domain.vocab import CompanySize, Industry


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


LABELS: dict[tuple[str, str], str] = {
    **{(LeadType.__name__, k.value): v for k, v in {
        LeadType.OFFER: N_("Offer"), LeadType.PROFILE: N_("Profile")}.items()},
    **{(Qualification.__name__, k.value): v for k, v in {
        Qualification.DIRECT: N_("Marketplace"), Qualification.MARKETING: N_("Marketing-qualified"),
        Qualification.SALES: N_("Sales-qualified")}.items()},
    **{(Source.__name__, k.value): v for k, v in {
        Source.APPSOURCE: N_("AppSource"), Source.AZURE_MARKETPLACE: N_("Azure Marketplace"),
        Source.AZURE_PORTAL: N_("Azure portal")}.items()},
    **{(CallToAction.__name__, k.value): v for k, v in {
        CallToAction.GET_IT_NOW: N_("Get it now"), CallToAction.FREE_TRIAL: N_("Free trial"),
        CallToAction.TEST_DRIVE: N_("Test drive"), CallToAction.CONTACT_ME: N_("Contact me")}.items()},
    **{(Status.__name__, k.value): v for k, v in {
        Status.RECEIVED: N_("Received"), Status.ACCEPTED: N_("Accepted"), Status.ARCHIVED: N_("Archived")}.items()},
    **{(Outcome.__name__, k.value): v for k, v in {
        Outcome.WON: N_("Won"), Outcome.LOST: N_("Lost"), Outcome.DECLINED: N_("Declined"),
        Outcome.EXPIRED: N_("Expired")}.items()},
    **{(EmailValidity.__name__, k.value): v for k, v in {
        EmailValidity.VALID: N_("Email valid"), EmailValidity.INVALID: N_("Email invalid"),
        EmailValidity.SPAM: N_("Email spam"), EmailValidity.UNKNOWN: N_("Email unknown")}.items()},
    **{(PhoneValidity.__name__, k.value): v for k, v in {
        PhoneValidity.VALID: N_("Phone valid"), PhoneValidity.INVALID: N_("Phone invalid"),
        PhoneValidity.UNKNOWN: N_("Phone unknown")}.items()},
    **{(QualityLabel.__name__, k.value): v for k, v in {
        QualityLabel.HIGH: N_("High"), QualityLabel.LOW: N_("Low")}.items()},
    **{(Reason.__name__, k.value): v for k, v in {
        Reason.BUDGET_NOT_ADEQUATE: N_("Budget not adequate"),
        Reason.CUSTOMER_DID_NOT_RESPOND: N_("Customer did not respond"),
        Reason.CHOSE_ANOTHER_VENDOR: N_("Customer chose another vendor"),
        Reason.REQUIREMENT_NOT_MET: N_("Requirement not met"),
        Reason.NOT_A_CUSTOMER: N_("Not a real customer"),
        Reason.TIMELINE_TOO_SHORT: N_("Timeline too short"),
        Reason.SPAM: N_("Spam / abuse / phishing"),
        Reason.OTHER: N_("Other (explain in the notes)")}.items()},
    **{(Action.__name__, k.value): v for k, v in {
        Action.RECEIVED: N_("Lead received"), Action.ACCEPTED: N_("Accepted"), Action.DECLINED: N_("Declined"),
        Action.DEAL_EDITED: N_("Deal edited"), Action.EMPLOYEE_ADDED: N_("Employee added"),
        Action.WON: N_("Marked won"), Action.LOST: N_("Marked lost"), Action.EXPIRED: N_("Expired unanswered"),
        Action.RETIRED: N_("Archived after six months"), Action.ASSIGNED: N_("Assigned"),
        Action.UNASSIGNED: N_("Owner removed")}.items()},
    **{(ReferrerKind.__name__, k.value): v for k, v in {
        ReferrerKind.MARKETPLACE: N_("Marketplace"), ReferrerKind.STAFF: N_("Program staff"),
        ReferrerKind.PARTNER: N_("Partner"), ReferrerKind.DIRECTORY: N_("Partner directory")}.items()},
    **{(Industry.__name__, k.value): v for k, v in {
        Industry.AGRICULTURE: N_("Agriculture"), Industry.EDUCATION: N_("Education"), Industry.ENERGY: N_("Energy"),
        Industry.FINANCIAL_SERVICES: N_("Financial services"), Industry.GOVERNMENT: N_("Government"),
        Industry.HEALTHCARE: N_("Healthcare"), Industry.HOSPITALITY: N_("Hospitality"),
        Industry.MANUFACTURING: N_("Manufacturing"), Industry.MEDIA: N_("Media"),
        Industry.NONPROFIT: N_("Nonprofit"), Industry.PROFESSIONAL_SERVICES: N_("Professional services"),
        Industry.REAL_ESTATE: N_("Real estate"), Industry.RETAIL: N_("Retail"), Industry.TECHNOLOGY: N_("Technology"),
        Industry.TELECOMMUNICATIONS: N_("Telecommunications"),
        Industry.TRANSPORTATION: N_("Transportation")}.items()},
    **{(CompanySize.__name__, k.value): v for k, v in {
        CompanySize.MICRO: N_("1-9 employees"), CompanySize.SMALL: N_("10-49 employees"),
        CompanySize.MEDIUM: N_("50-249 employees"), CompanySize.LARGE: N_("250-999 employees"),
        CompanySize.ENTERPRISE: N_("1,000-4,999 employees"),
        CompanySize.GLOBAL: N_("5,000 or more employees")}.items()},
}

# The domain's field messages that pages show often; anything else is shown as the domain wrote it.
ERRORS: dict[str, str] = {
    "is required": N_("is required"),
    "needs at least one team member": N_("needs at least one team member"),
    "must be a number between 0 and 999,999,999,999.99": N_("must be a number between 0 and 999,999,999,999.99"),
    "contains users who are not in your partner": N_("contains users who are not in your partner"),
    "is required when the deal is lost": N_("is required when the deal is lost"),
    "must be won or lost": N_("must be won or lost"),
    "is not a valid date": N_("is not a valid date"),
    "is not a valid currency": N_("is not a valid currency"),
    "is unknown": N_("is unknown"),
    "needs at least a company, a last name or an email": N_("needs at least a company, a last name or an email"),
    "must be given so the partner may contact you": N_("must be given so the partner may contact you"),
    "is not a location of this partner": N_("is not a location of this partner"),
    "is not an active user of your partner": N_("is not an active user of your partner"),
}
