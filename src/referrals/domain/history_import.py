"""Bringing a program's history: closed leads from its old system, each replayed through the lead's own transitions
at the times it lived them (received, then accepted and won or lost, or declined).

The file has the lead import's columns plus `ReceivedDateTime`, `Outcome` (won, lost, declined), `ClosingReason`
and, optionally, `AcceptedDateTime`, `ArchivedDateTime`, `DealValue`, `DealCurrency`, `Notes`. An accepted lead
needs a deal: its name is the customer's company (else the last name), its value the row's (else 0 EUR), its
team one of the partner's Referrals admins, its purchase date the day it closed; notes default to
`IMPORTED_NOTES`. A missing AcceptedDateTime is the received time; a missing ArchivedDateTime the accepted one.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from referrals.domain import lead as lead_rules
from referrals.domain.deal import DealTerms, Money, action_day
from referrals.domain.enums import Outcome, Reason
from referrals.domain.errors import InvalidInput, InvalidTransition
from referrals.domain.history import Actor, HistoryEntry
from referrals.domain.lead import Lead
from referrals.domain.lead_import import LEAD_COLUMNS, CellError, Column, LeadRow

IMPORTED_NOTES = "Imported from history."
DEFAULT_CURRENCY = "EUR"  # a won or lost deal without DealValue is recorded at 0 of this


class HistoryOutcome(StrEnum):
    WON = "won"
    LOST = "lost"
    DECLINED = "declined"


HISTORY_COLUMNS: tuple[Column, ...] = (
    *LEAD_COLUMNS,
    Column("ReceivedDateTime", "received_at", required=True, kind="instant"),
    Column("Outcome", "outcome", required=True, codes=HistoryOutcome),
    Column("ClosingReason", "reason", codes=Reason),
    Column("AcceptedDateTime", "accepted_at", kind="instant"),
    Column("ArchivedDateTime", "archived_at", kind="instant"),
    Column("DealValue", "estimated_value.amount", kind="amount"),
    Column("DealCurrency", "estimated_value.currency", max_length=3),
    Column("Notes", "notes", max_length=4000, multiline=True),
)
# How the transitions' errors name their fields, as the file's columns.
HISTORY_FIELDS = {"reason": "ClosingReason", "notes": "Notes", "estimated_value.amount": "DealValue",
                  "estimated_value.currency": "DealCurrency", "estimated_purchase_date": "ArchivedDateTime",
                  "deal_name": "CustomerCompany", "team_member_ids": "PartnerId", "outcome": "Outcome"}


@dataclass(frozen=True)
class HistoryRow:
    lead: LeadRow
    received_at: datetime
    outcome: Outcome
    reason: Reason | None
    accepted_at: datetime | None  # won and lost only
    archived_at: datetime
    amount: Decimal
    currency: str
    notes: str

    @property
    def row(self) -> int:
        return self.lead.row


def history_row(lead: LeadRow, cells: dict[str, Any], now: datetime, errors: list[CellError]) -> HistoryRow | None:
    """The row's history with its times filled in and in order, or None with its errors."""
    row, outcome = lead.row, Outcome(cells["Outcome"])
    received = cells["ReceivedDateTime"]
    accepted = None
    if outcome is Outcome.DECLINED:
        if cells["AcceptedDateTime"] is not None:
            errors.append(CellError(row, "AcceptedDateTime", "must be empty for a declined lead"))
    else:
        accepted = cells["AcceptedDateTime"] or received
    archived = cells["ArchivedDateTime"] or accepted or received
    for name, moment, after in (("ReceivedDateTime", received, None), ("AcceptedDateTime", accepted, received),
                                ("ArchivedDateTime", archived, accepted or received)):
        if moment is not None and moment > now:
            errors.append(CellError(row, name, "must be in the past"))
        elif moment is not None and after is not None and moment < after:
            earlier = "ReceivedDateTime" if after == received else "AcceptedDateTime"
            errors.append(CellError(row, name, f"must not be before {earlier}"))
    if cells["DealValue"] is not None and cells["DealCurrency"] is None:
        errors.append(CellError(row, "DealCurrency", "is required with DealValue"))
    if errors:
        return None
    return HistoryRow(lead, received, outcome, cells["ClosingReason"], accepted, archived,
                      cells["DealValue"] or Decimal(0), (cells["DealCurrency"] or DEFAULT_CURRENCY).upper(),
                      cells["Notes"] or "")


def deal_terms(history: HistoryRow, team_member_id: str, zone: str) -> DealTerms:
    customer = history.lead.customer
    name = customer.company or customer.last_name or history.lead.external_id or "Imported deal"
    return DealTerms(name=name[:200], value=Money(history.amount, history.currency), team_member_ids=(team_member_id,),
                     purchase_date=action_day(history.archived_at, zone), notes=history.notes or IMPORTED_NOTES)


@dataclass(frozen=True)
class Step:
    """One transition of the replay: the action and the moment it happened."""

    action: str  # accept, close or decline
    at: datetime


def steps(history: HistoryRow) -> list[Step]:
    if history.outcome is Outcome.DECLINED:
        return [Step("decline", history.archived_at)]
    return [Step("accept", history.accepted_at or history.received_at), Step("close", history.archived_at)]


def apply(lead: Lead, history: HistoryRow, step: Step, *, by: Actor, team_member_id: str, zone: str) -> HistoryEntry:
    """One step through the lead's own guard, at its moment."""
    if step.action == "decline":
        return lead.decline(history.reason, history.notes or IMPORTED_NOTES, by=by, now=step.at)  # type: ignore[arg-type]
    if step.action == "accept":
        return lead.accept(deal_terms(history, team_member_id, zone), by=by, now=step.at, zone=zone)
    return lead.close(history.outcome, history.reason, history.notes, by=by, now=step.at)


_STEP_COLUMNS = {"accept": "accepted_at", "close": "archived_at", "decline": "archived_at"}


def rehearse(history: HistoryRow, *, by: Actor, team_member_id: str, zone: str) -> None:
    """The whole replay on a lead made here and thrown away: raises what the real one would (the dry run, and the
    check before anything is written), a refused step named by its time's field."""
    lead, _ = lead_rules.receive(
        id="rehearsal", partner_id=history.lead.partner_id, location_id="rehearsal", origin=history.lead.origin,
        customer=history.lead.customer, message=history.lead.message, customer_requested_contact=False,
        now=history.received_at)
    if lead.informational:
        raise InvalidInput("An informational lead has no outcome.", fields={
            "outcome": f"cannot be given: {lead.origin.call_to_action} leads are informational and need no answer"})
    for step in steps(history):
        try:
            apply(lead, history, step, by=by, team_member_id=team_member_id, zone=zone)
        except InvalidTransition as error:
            raise InvalidInput(error.message, fields={_STEP_COLUMNS[step.action]: error.message}) from None
