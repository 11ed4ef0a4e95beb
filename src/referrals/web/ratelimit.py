"""Rate limits on the `limits` library (moving windows): in this process's memory by default, in Redis when
REFERRALS_REDIS_URL is set, so that several web processes count against one limit.

Every limit of the web edge is declared here once: what it counts, per what, and how many.

Keys are hashed before they reach the storage: emails and inbound keys are not written into Redis as they are.
Should Redis fail, the limits fall back to this process's memory (and say so in the log) rather than refuse
every request or let everything through.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)
T = TypeVar("T")

INBOUND_RATE = "600/minute"  # per inbound key: far above any marketplace's pace, well below a flood
RESET_RATE = "10/minute"  # forgotten-password requests and reset-link posts, per client address: each may
# hash a password with argon2 (64 MiB), so they are limited like sign-in
CONTACT_RATE = "5/minute"  # Contact me, per client address (API and page alike): a person sends one or two


def parse_rate(rate: str) -> RateLimitItem:
    """"10/minute", "30 per hour", "100/15 minutes" → the limit; anything else is a ValueError."""
    try:
        return parse(rate)
    except ValueError as error:
        raise ValueError(f"{rate!r} is not a rate like 10/minute") from error


class Limiters:
    """One storage and one strategy that every limit of an app shares."""

    def __init__(self, storage_uri: str = "", prefix: str = "referrals"):
        self.prefix = prefix
        # A short timeout: a Redis that does not answer must not hold every request up with it.
        self.storage: Storage = (storage_from_string(storage_uri, key_prefix=prefix, wrap_exceptions=True,
                                                     socket_connect_timeout=1.0, socket_timeout=1.0)
                                 if storage_uri else MemoryStorage())
        self._strategy = MovingWindowRateLimiter(self.storage)
        self._fallback: MovingWindowRateLimiter | None = None

    def limit(self, name: str, rate: str | RateLimitItem) -> "Limit":
        item = parse_rate(rate) if isinstance(rate, str) else rate
        return Limit(self, type(item)(item.amount, item.multiples, namespace=name))

    def run(self, action: Callable[[MovingWindowRateLimiter], T]) -> T:
        try:
            return action(self._strategy)
        except StorageError as error:
            if self._fallback is None:
                log.error("rate-limit storage failed (%s): counting in this process's memory instead", error)
                self._fallback = MovingWindowRateLimiter(MemoryStorage())
            return action(self._fallback)


@dataclass(frozen=True)
class Limit:
    limiters: Limiters
    item: RateLimitItem

    @property
    def amount(self) -> int:
        return self.item.amount

    def take(self, *key: str) -> float:
        """Count one call: 0 when it may go ahead, else how many seconds until it may (nothing is counted)."""
        ids = _hashed(key)
        if self.limiters.run(lambda strategy: strategy.hit(self.item, *ids)):
            return 0.0
        return self.retry_after(*key)

    def retry_after(self, *key: str) -> float:
        """Seconds (at least one) until the oldest call in the window leaves it and one more may go ahead."""
        stats = self.limiters.run(lambda strategy: strategy.get_window_stats(self.item, *_hashed(key)))
        return max(1.0, stats.reset_time - time.time())

    def count(self, *key: str) -> int:
        """The calls counted in the window now."""
        stats = self.limiters.run(lambda strategy: strategy.get_window_stats(self.item, *_hashed(key)))
        return self.item.amount - stats.remaining

    def clear(self, *key: str) -> None:
        self.limiters.run(lambda strategy: strategy.clear(self.item, *_hashed(key)))


def _hashed(key: tuple[str, ...]) -> tuple[str]:
    return (hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:32],)
