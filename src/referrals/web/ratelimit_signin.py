"""Sign-in limits that a stranger cannot turn against the account's owner.

- Per client address, whatever the email (REFERRALS_LOGIN_ADDRESS_RATE_LIMIT, 30/minute): one address cannot
  spray guesses over many accounts.
- Per email *from one client address* (REFERRALS_LOGIN_RATE_LIMIT, 10/minute): one address cannot guess one
  account's password quickly. Both are hard limits (429 with Retry-After), and both count every attempt,
  before the password is checked, so parallel requests cannot slip past them.
- Per account, from everywhere: no hard limit, so 30 wrong passwords from elsewhere never keep the owner out.
  The account's failures of the last 15 minutes are counted instead; past FREE_FAILURES, an attempt from an
  address the account has not signed in from lately is slowed down, by a delay that doubles with each further
  failure up to MAX_DELAY, before its password is checked. Addresses the owner signed in from in the last
  KNOWN_FOR_DAYS are not slowed down at all, and the right password is never refused.
- A sign-in from an address new to the account after ALERT_AFTER failures tells the user by email.

The counts live in the app's Limiters (memory, or Redis shared by every web process). Known addresses are kept
there too: in memory they are forgotten when the process restarts, which only makes the delay and the alert
apply to an owner they need not have.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from limits import RateLimitItemPerDay, RateLimitItemPerMinute

from referrals.web.client import address_key
from referrals.web.ratelimit import Limiters

ACCOUNT_WINDOW_MINUTES = 15
FREE_FAILURES = 10  # failures on one account, from anywhere, before unknown addresses are slowed down
FIRST_DELAY = 1.0  # seconds, doubling with each further failure
MAX_DELAY = 10.0
ALERT_AFTER = FREE_FAILURES
KNOWN_FOR_DAYS = 30


@dataclass(frozen=True)
class Admission:
    wait: float = 0.0  # > 0: refused, try again in this many seconds
    delay: float = 0.0  # let through, after this many seconds


def account_delay(failures: int) -> float:
    """The delay of an attempt from an unknown address after this many recent failures on the account."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - FREE_FAILURES - 1, 16))


def _account(email: str) -> str:
    return email.strip().lower()


class SignInLimiter:
    def __init__(self, limiters: Limiters, per_email_and_address: str, per_address: str,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.by_address = limiters.limit("signin-address", per_address)
        self.by_email_and_address = limiters.limit("signin-email-address", per_email_and_address)
        self.failures = limiters.limit("signin-failures", RateLimitItemPerMinute(1000, ACCOUNT_WINDOW_MINUTES))
        self.known = limiters.limit("signin-known", RateLimitItemPerDay(1, KNOWN_FOR_DAYS))
        self.sleep = sleep  # the delay is awaited, so a slowed-down attempt holds no thread

    def admit(self, email: str, address: str) -> Admission:
        """Before the password is checked: refused, or let through (perhaps after a delay). Counts the attempt."""
        account, where = _account(email), address_key(address)
        wait = self.by_address.take(where) or self.by_email_and_address.take(account, where)
        if wait:
            return Admission(wait=wait)
        if self.known.count(account, where):
            return Admission()
        return Admission(delay=account_delay(self.failures.count(account)))

    def failed(self, email: str) -> None:
        self.failures.take(_account(email))

    def succeeded(self, email: str, address: str) -> int:
        """Forgets this address's own attempts at the account and remembers the address as the owner's. Answers
        the account's recent failures when the address was new to it (the alert's reason), else 0."""
        account, where = _account(email), address_key(address)
        self.by_email_and_address.clear(account, where)
        was_known = self.known.count(account, where) > 0
        self.known.clear(account, where)  # restart its 30 days
        self.known.take(account, where)
        return 0 if was_known else self.failures.count(account)
