"""How long the proofs of who someone is stay good: sessions, password-reset links and API tokens, and what a
password must be. Time is always passed in."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from referrals.domain.errors import InvalidInput

# Last-seen and last-used times are written at most this often: a page view is a read, not a write.
TOUCH_EVERY = timedelta(minutes=1)
RESET_LINK_LIFETIME = timedelta(hours=1)
RESET_LINKS_PER_HOUR = 3  # more requests in the hour send nothing (the page answers the same)
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1000  # argon2 hashes any length; this only stops absurd bodies
TOKEN_DISPLAY_LENGTH = 16  # "rfl_" and 12 more characters: enough to recognise a token, never enough to use it
TOKEN_MAX_DAYS = 3650


@dataclass(frozen=True)
class SessionLifetime:
    """A session ends after `idle` without a request, and `absolute` after it began, whichever comes first."""

    idle: timedelta
    absolute: timedelta

    def alive(self, started_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now < started_at + self.absolute and now < last_seen_at + self.idle


def touch_due(last: datetime | None, now: datetime) -> bool:
    """Whether a last-seen (or last-used) time is stale enough to be written again."""
    return last is None or now - last >= TOUCH_EVERY


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"needs at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"is longer than {PASSWORD_MAX_LENGTH} characters"
    return None


def token_display_prefix(token: str) -> str:
    """The part of an API token kept in clear, to tell tokens apart in lists and to revoke one by it."""
    return token[:TOKEN_DISPLAY_LENGTH]


def token_expires_at(created_at: datetime, days: int | None) -> datetime | None:
    if days is None:
        return None
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise InvalidInput(f"A token's lifetime must be between 1 and {TOKEN_MAX_DAYS} days.",
                           fields={"expires_in_days": f"must be between 1 and {TOKEN_MAX_DAYS}"})
    return created_at + timedelta(days=days)
