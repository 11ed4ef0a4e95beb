"""Reading a CRM's outcomes: a CSV naming a lead (`LeadId`, or the `ExternalId` it arrived with) and how its deal
ended, in the export's column names. What a row may do is the lead's own guard (`Lead.edit_deal`, `Lead.close`):
only an accepted lead's deal closes; an archived lead is read-only, except that a row saying what it already says
changes nothing (a file sent twice)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from referrals.domain.deal import Money
from referrals.domain.enums import Outcome, Reason
from referrals.domain.errors import InvalidInput
from referrals.domain.history import Actor, HistoryEntry
from referrals.domain.lead import Lead
from referrals.domain.lead_import import CellError, Column


class DealOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


OUTCOME_COLUMNS: tuple[Column, ...] = (
    Column("LeadId", "lead_id", max_length=64),
    Column("ExternalId", "external_id", max_length=200),
    Column("Outcome", "outcome", required=True, codes=DealOutcome),
    Column("ClosingReason", "reason", codes=Reason),
    Column("DealValue", "estimated_value.amount", kind="amount"),
    Column("DealCurrency", "estimated_value.currency", max_length=3),
    Column("Notes", "notes", max_length=4000, multiline=True),
)


@dataclass(frozen=True)
class OutcomeRow:
    row: int
    lead_id: str | None
    external_id: str | None
    outcome: Outcome
    reason: Reason | None
    amount: Decimal | None
    currency: str | None
    notes: str


def outcome_row(row: int, cells: dict[str, Any], errors: list[CellError]) -> OutcomeRow | None:
    """The row's outcome, or None with its errors: a lead named, and a value with its currency."""
    if not cells["LeadId"] and not cells["ExternalId"]:
        errors.append(CellError(row, "LeadId", "is required (or ExternalId)"))
    if (cells["DealValue"] is None) != (cells["DealCurrency"] is None) and not errors:
        named = "DealCurrency" if cells["DealCurrency"] is None else "DealValue"
        errors.append(CellError(row, named, "is required with " + ("DealValue" if named == "DealCurrency"
                                                                  else "DealCurrency")))
    if errors:
        return None
    currency = cells["DealCurrency"].upper() if cells["DealCurrency"] else None
    return OutcomeRow(row, cells["LeadId"], cells["ExternalId"], Outcome(cells["Outcome"]), cells["ClosingReason"],
                      cells["DealValue"], currency, cells["Notes"] or "")


def already(lead: Lead, wanted: OutcomeRow) -> bool:
    """The lead already ended as the row says: sending the file again changes nothing."""
    return lead.outcome is wanted.outcome and (wanted.amount is None or lead.deal is None or
                                               lead.deal.terms.value == Money(wanted.amount, wanted.currency or ""))


def value_change(lead: Lead, wanted: OutcomeRow) -> dict[str, Any]:
    """The deal edit the row asks for before closing: its value, when it differs."""
    if wanted.amount is None or (lead.deal is not None and
                                 lead.deal.terms.value == Money(wanted.amount, wanted.currency or "")):
        return {}
    return {"value": Money(wanted.amount, wanted.currency or "")}


def replay(lead: Lead, wanted: OutcomeRow, *, by: Actor, now: datetime, zone: str) -> list[HistoryEntry]:
    """What the row does to the lead, through the lead's own guards (for a dry run, on a copy)."""
    entries = []
    changes = value_change(lead, wanted)
    if changes:
        entries.append(lead.edit_deal(changes, by=by, now=now, zone=zone))
    entries.append(lead.close(wanted.outcome, wanted.reason, wanted.notes, by=by, now=now))
    return entries


OUTCOME_FIELDS = {"outcome": "Outcome", "reason": "ClosingReason", "notes": "Notes",
                  "estimated_value.amount": "DealValue", "estimated_value.currency": "DealCurrency",
                  "value": "DealValue"}


def row_errors(row: int, error: InvalidInput | Exception) -> list[CellError]:
    fields = getattr(error, "fields", {}) or {}
    message = getattr(error, "message", str(error))
    if not fields:
        return [CellError(row, None, message)]
    return [CellError(row, OUTCOME_FIELDS.get(name), text) for name, text in fields.items()]
