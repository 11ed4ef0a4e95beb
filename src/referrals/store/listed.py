"""The list's read model: a lead as its row of stored columns, with the reader's heart. The list (API and pages)
reads these; the detail and the actions read a whole `Lead`. A page of fifty rows is handed on as the database
returned it, instead of becoming fifty Leads with their nested parts (docs/performance.md: that was most of a
list request's time)."""

from typing import Any

from referrals.domain.enums import CallToAction, LeadType, Status
from referrals.domain.lead import Customer, withholds_contact
from referrals.domain.lead_state import LeadState, asks_for_contact


class ListedLead:
    """`columns` holds the `leads` columns by name, as stored: enumerations as their string values, times, decimals
    and JSON lists; `favorite` is the reader's heart. `state` and `customer` ask the domain's rules of the row."""

    __slots__ = ("columns", "favorite")

    def __init__(self, columns: Any, favorite: bool) -> None:
        self.columns = columns
        self.favorite = favorite

    @property
    def id(self) -> str:
        return self.columns.id

    @property
    def state(self) -> LeadState:
        c = self.columns
        cta, kind = c.call_to_action, c.type
        return LeadState(
            c.partner_id, Status(c.status), bool(c.informational),
            asks_for_contact(bool(c.customer_requested_contact), cta and CallToAction(cta), kind and LeadType(kind)),
            c.created_at, c.response_due_at, c.archive_due_at,
            None if c.deal_name is None else len(c.deal_employees or ()),
        )

    @property
    def customer(self) -> Customer:
        """The customer as readers may see it: contact details withheld by the same rule as `visible_customer`."""
        c = self.columns
        withheld = withholds_contact(c.outcome)
        return Customer(
            company=c.customer_company,
            first_name=None if withheld else c.customer_first_name,
            last_name=None if withheld else c.customer_last_name,
            title=None if withheld else c.customer_title,
            email=None if withheld else c.customer_email,
            phone=None if withheld else c.customer_phone,
            country=c.customer_country, company_size=c.customer_company_size, industry=c.customer_industry,
        )
