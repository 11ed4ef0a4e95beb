"""The list's read model: a lead as its row of stored columns, with the reader's heart. The list (API and pages)
reads these; the detail and the actions read a whole `Lead`. A page of fifty rows is handed on as the database
returned it, instead of becoming fifty Leads with their nested parts (docs/performance.md: that was most of a
list request's time)."""

from typing import Any

from referrals.domain.enums import CallToAction, EmailValidity, LeadType, PhoneValidity, Status
from referrals.domain.lead import Customer, withholds_contact
from referrals.domain.lead_state import LeadState, asks_for_contact, reachable_by
from referrals.store.people import Owner


class ListedLead:
    """`columns` holds the `leads` columns by name, as stored: enumerations as their string values, times, decimals
    and JSON lists; `favorite` is the reader's heart, `owner` the lead's owner. `state` and `customer` ask the
    domain's rules of the row."""

    __slots__ = ("columns", "favorite", "owner")

    def __init__(self, columns: Any, favorite: bool, owner: Owner | None = None) -> None:
        self.columns = columns
        self.favorite = favorite
        self.owner = owner

    @property
    def id(self) -> str:
        return self.columns.id

    @property
    def state(self) -> LeadState:
        m = self.columns._mapping
        cta, kind, employees = m["call_to_action"], m["type"], m["deal_employees"]
        return LeadState(
            m["partner_id"], Status(m["status"]), bool(m["informational"]),
            asks_for_contact(bool(m["customer_requested_contact"]), cta and CallToAction(cta), kind and LeadType(kind)),
            m["created_at"], m["response_due_at"], m["archive_due_at"],
            None if m["deal_name"] is None else len(employees or ()),
            bool(m["spam"]),
            reachable_by(m["customer_phone"], PhoneValidity(m["phone_validity"]),
                         m["customer_email"], EmailValidity(m["email_validity"])),
        )

    @property
    def customer(self) -> Customer:
        return Customer(**self.customer_fields())

    def customer_fields(self) -> dict[str, Any]:
        """The customer as readers may see it: contact details withheld by the same rule as `visible_customer`."""
        m = self.columns._mapping
        shown = not withholds_contact(m["outcome"])
        return {
            "company": m["customer_company"],
            "first_name": m["customer_first_name"] if shown else None,
            "last_name": m["customer_last_name"] if shown else None,
            "title": m["customer_title"] if shown else None,
            "email": m["customer_email"] if shown else None,
            "phone": m["customer_phone"] if shown else None,
            "country": m["customer_country"], "company_size": m["customer_company_size"],
            "industry": m["customer_industry"],
        }
