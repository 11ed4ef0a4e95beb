"""The time windows of the lifecycle, as named constants, and the arithmetic on them."""

import calendar
from datetime import datetime, timedelta

RESPONSE_WINDOW = timedelta(days=14)  # actionable leads expire when unanswered this long
HOT_WINDOW = timedelta(hours=72)  # a Contact me lead carries the flame this long
INFORMATIONAL_RETENTION_MONTHS = 6  # informational leads stay available this many calendar months
REMINDER_BEFORE = timedelta(hours=48)  # a received lead nobody answered is recalled once this long before expiry


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock instant `months` calendar months later, clamped to the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def informational_archive_at(created_at: datetime) -> datetime:
    return add_months(created_at, INFORMATIONAL_RETENTION_MONTHS)


def response_due_at(created_at: datetime) -> datetime:
    return created_at + RESPONSE_WINDOW


def reminder_due_from(now: datetime) -> datetime:
    """Received leads whose deadline falls before this (and after `now`) are due their expiring-soon reminder."""
    return now + REMINDER_BEFORE
