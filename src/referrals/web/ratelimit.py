"""A small in-memory token bucket per key (one process; enough to blunt floods and key guessing)."""

import threading
import time
from dataclasses import dataclass, field

from referrals.domain.errors import InvalidInput

_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


def parse_rate(rate: str) -> tuple[int, float]:
    """"120/minute" → (120, 60.0)."""
    count, _, period = rate.partition("/")
    try:
        return int(count), _PERIODS[period.strip()]
    except (ValueError, KeyError) as error:
        raise InvalidInput(f"{rate!r} is not a rate like 120/minute.", fields={"rate": "is invalid"}) from error


@dataclass
class TokenBucket:
    capacity: int
    period: float
    clock: object = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_rate(cls, rate: str) -> "TokenBucket":
        return cls(*parse_rate(rate))

    def take(self, key: str) -> float:
        """0 when the call may go ahead, else how many seconds until it may."""
        refill = self.capacity / self.period
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(key, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + (now - last) * refill)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > 100_000:  # forget idle keys rather than grow without bound
                    self._buckets.clear()
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / refill
