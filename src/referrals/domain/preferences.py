"""A person's own settings, and their partner's preferred notification address: what each may be.
`language` None follows the browser; `notification_email` None means the sign-in address (or, for a partner,
the usual recipients); `new_lead_emails` says how new-lead emails arrive."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from referrals.domain.checks import collecting
from referrals.domain.notify import LANGUAGES


class NewLeadEmails(StrEnum):
    EACH = "each"  # one email per lead, within the 10-a-day rule (then a digest)
    DIGEST = "digest"  # a daily digest only
    NONE = "none"  # no new-lead emails


ADDRESS_MAX = 320
PERSONAL_FIELDS = ("language", "notification_email", "new_lead_emails")


@dataclass(frozen=True)
class Preferences:
    language: str | None
    notification_email: str | None
    new_lead_emails: NewLeadEmails


def cleaned_address(value: str | None) -> str | None:
    """An address as stored: trimmed; empty means none."""
    value = (value or "").strip()
    return value or None


def changed(current: Preferences, changes: dict[str, Any]) -> Preferences:
    """The preferences after `changes` (any of PERSONAL_FIELDS; absent ones stay), each checked, every problem
    named by its field."""
    values = {"language": current.language, "notification_email": current.notification_email,
              "new_lead_emails": current.new_lead_emails.value}
    with collecting("The settings are invalid") as problems:
        for name in changes:
            if name not in PERSONAL_FIELDS:
                problems.add(name, "is not a setting")
        values.update({k: v for k, v in changes.items() if k in PERSONAL_FIELDS})
        values["notification_email"] = cleaned_address(values["notification_email"])
        if values["language"] not in (None, *LANGUAGES):
            problems.add("language", "must be en, it or null (follow the browser)")
        problems.limit_text("notification_email", values["notification_email"], max_length=ADDRESS_MAX)
        problems.require_email("notification_email", values["notification_email"], required=False)
        if values["new_lead_emails"] not in {m.value for m in NewLeadEmails}:
            problems.add("new_lead_emails", "must be each, digest or none")
    return Preferences(values["language"], values["notification_email"], NewLeadEmails(values["new_lead_emails"]))


def checked_address(value: str | None) -> str | None:
    """A preferred notification address (a person's or a partner's): trimmed, None when empty."""
    address = cleaned_address(value)
    with collecting("The notification address is invalid") as problems:
        problems.limit_text("notification_email", address, max_length=ADDRESS_MAX)
        problems.require_email("notification_email", address, required=False)
    return address
