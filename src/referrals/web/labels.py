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

# The domain's field messages as the pages say them: whole sentences, saying what to do. A message that names
# no field ("is required") gets the field's own sentence from REQUIRED where there is one
# (web/pages/field_messages.py); anything else is shown as the domain wrote it.
ERRORS: dict[str, str] = {
    "is required": N_("This field is required."),
    "needs at least one team member": N_("Choose at least one team member."),
    "must be a number between 0 and 999,999,999,999.99": N_("Enter an amount between 0 and 999,999,999,999.99."),
    "contains users who are not in your partner": N_("Choose team members from your own partner."),
    "is required when the deal is lost": N_("Choose a reason: a lost deal needs one."),
    "must be won or lost": N_("Choose won or lost."),
    "is not a valid date": N_("Enter a date, like 2026-06-30."),
    "is not a valid currency": N_("Choose a currency from the list."),
    "is unknown": N_("Choose a value from the list."),
    "needs at least a company, a last name or an email": N_("Enter at least a company, a last name or an email."),
    "must be given so the partner may contact you": N_("Tick the box so the partner may contact you."),
    "is not a location of this partner": N_("Choose one of this partner's locations."),
    "is not an active user of your partner": N_("Choose an active colleague from your partner."),
    "must not contain NUL characters": N_("Remove the NUL characters."),
    "must be a single line": N_("Keep this on a single line."),
    "must be a finite number": N_("Enter a number."),
    "holds at most 20 contacts": N_("Add at most 20 customer contacts."),
    "is required to decline": N_("This field is required to decline."),
    "is required to assign": N_("Choose a colleague to assign."),
}

# "is required", said for the field it is about (keys are field names without their prefix: "customer.email"
# and "contact-1-email" are "email").
REQUIRED: dict[str, str] = {
    "deal_name": N_("Enter the deal name."),
    "amount": N_("Enter the estimated value."),
    "estimated_value.amount": N_("Enter the estimated value."),
    "currency": N_("Choose a currency."),
    "purchase_date": N_("Enter the estimated purchase date."),
    "estimated_purchase_date": N_("Enter the estimated purchase date."),
    "notes": N_("Enter notes."),
    "reason": N_("Choose a reason."),
    "first_name": N_("Enter the first name."),
    "last_name": N_("Enter the last name."),
    "name": N_("Enter the name."),
    "email": N_("Enter an email address."),
    "phone": N_("Enter a phone number."),
    "company": N_("Enter the company name."),
    "title": N_("Enter the job title."),
    "country": N_("Choose a country."),
    "city": N_("Enter the city."),
    "message": N_("Enter a message."),
    "location_id": N_("Choose a location."),
    "partner_id": N_("Choose a partner."),
    "user_id": N_("Choose a colleague."),
    "password": N_("Enter a password."),
    "description": N_("Enter a description."),
    "qualification": N_("Choose the kind of lead."),
    "source": N_("Choose the lead source."),
}

# The quality model's factors (domain/quality_words.py), by feature name; the English is the domain's words
# (tests/unit/test_factor_words.py holds the two equal and every factor translated).
FACTORS: dict[str, str] = {
    "channel=sales": N_("sales-qualified lead"),
    "channel=marketing": N_("marketing-qualified lead"),
    "channel=profile": N_("found the partner in the directory"),
    "channel=offer_contact_me": N_("customer asked to be contacted"),
    "channel=offer_free_trial": N_("free trial sign-up"),
    "channel=offer_test_drive": N_("test drive"),
    "channel=offer_get_it_now": N_("get-it-now download"),
    "source=appsource": N_("from AppSource"),
    "source=azure_marketplace": N_("from Azure Marketplace"),
    "source=azure_portal": N_("from the Azure portal"),
    "email=valid": N_("email valid"),
    "email=invalid": N_("email invalid"),
    "email=spam": N_("email flagged as spam"),
    "email=unknown": N_("email not verified"),
    "phone=valid": N_("phone valid"),
    "phone=invalid": N_("phone invalid"),
    "phone=unknown": N_("no checkable phone"),
    "mail=company": N_("company email domain"),
    "mail=free": N_("free-mail address"),
    "mail=none": N_("no usable email"),
    "msg=empty": N_("no message"),
    "msg=short": N_("very short message"),
    "msg=medium": N_("message of some substance"),
    "msg=long": N_("detailed message"),
    "role_account": N_("role account (info@, sales@...)"),
    "domain_matches_company": N_("email domain matches the company"),
    "msg_buying": N_("message mentions budget, users or timeline"),
    "msg_buying_many": N_("message full of buying details"),
    "msg_spamwords": N_("spam words in the message"),
    "msg_links": N_("links in the message"),
    "msg_caps": N_("message in capitals"),
    "seniority=owner": N_("owner or founder"),
    "seniority=c_level": N_("C-level title (CEO, CFO, CIO...)"),
    "seniority=vp": N_("vice president"),
    "seniority=director": N_("director or head of department"),
    "seniority=manager": N_("manager"),
    "seniority=individual": N_("individual contributor"),
    "seniority=student": N_("student or intern"),
    "seniority=none": N_("no job title"),
    "function=finance": N_("works in finance"),
    "function=it": N_("works in IT"),
    "function=procurement": N_("works in procurement"),
    "function=sales": N_("works in sales"),
    "function=marketing": N_("works in marketing"),
    "function=operations": N_("works in operations"),
    "function=hr": N_("works in HR"),
    "function=legal": N_("works in legal"),
    "function=executive": N_("general management"),
    "function=other": N_("job function not recognised"),
    "title=senior": N_("senior job title"),
    "title=student": N_("student or intern"),
    "title=none": N_("no job title"),
    "title=other": N_("job title given"),
    "company_missing": N_("no company name"),
    "company_is_person": N_("company name is a person's name"),
    "name_missing": N_("contact name incomplete"),
    "spam": N_("spam flag"),
    "partner": N_("this partner's past outcomes"),
    "country=none": N_("no country"),
    "size=unknown": N_("company size not given"),
    "industry=unknown": N_("industry not given"),
}
# Factors of a group whose value has words of its own: the country's name, the size band, the industry's label.
FACTOR_PATTERNS: dict[str, str] = {
    "country": N_("customer in %(value)s"),
    "size": N_("company size: %(value)s"),
    "industry": N_("industry: %(value)s"),
}
