"""Which engine a read goes to: a PostgreSQL streaming replica while it is up and fresh enough, else the primary.

The replica's age is measured in WAL positions, not replay timestamps (`pg_last_xact_replay_timestamp()` grows
while the primary is idle, and says nothing of WAL not received yet). Each check samples the primary's
`pg_current_wal_lsn()` with the time, keeps the recent samples, then reads the replica's
`pg_last_wal_replay_lsn()`: the replica is as old as the earliest sample it has not replayed (0 when it has
replayed the position sampled just before). Past `max_lag` seconds, or when it cannot be reached, it is skipped.

A check runs at most once every `interval` seconds in a process, started by a read that finds the verdict older
than that, in a thread of its own: no request waits for it, every request takes the verdict of the last check
(before the first one: the primary). Its connections have short connect and statement timeouts, so a replica that
is down costs one short timeout per interval in that thread, never one per request. A
connection error on the replica (it died between two checks) marks it down at once, and each read probes it with
one round trip before using it (in place of the pool's pre-ping), so such a request goes to the primary.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from sqlalchemy import Engine, event, text

from referrals.store.db import make_engine

log = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0  # seconds between two checks of the replica in one process
CONNECT_TIMEOUT = 2  # seconds (libpq's smallest useful value); a refused connection fails at once
CHECK_STATEMENT_TIMEOUT_MS = 500


def make_replica_engine(url: str) -> Engine:
    """The replica's engine: a short connect timeout (a dead host is skipped, not waited on); no pre-ping, since
    the router probes the replica itself (last in, first out: the connection it probed is the next one used) and a
    connection error marks it down."""
    return make_engine(url, pool_pre_ping=False, pool_use_lifo=True, connect_args={"connect_timeout": CONNECT_TIMEOUT})


def wal_position(engine: Engine) -> int:
    """The primary's current WAL write position, in bytes."""
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {CHECK_STATEMENT_TIMEOUT_MS}")  # this check only
        return int(conn.execute(text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")).scalar_one())


def replayed_position(engine: Engine) -> int | None:
    """How far the replica has replayed, in bytes (None: it is not a standby, or has replayed nothing)."""
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {CHECK_STATEMENT_TIMEOUT_MS}")  # this check only
        value = conn.execute(text("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")).scalar_one()
    return None if value is None else int(value)


class LagGauge:
    """The replica's age from WAL positions sampled on the primary: (time, position) pairs, oldest first."""

    def __init__(self, keep_seconds: float):
        self.keep_seconds = keep_seconds
        self.samples: deque[tuple[float, int]] = deque()

    def sample(self, moment: float, position: int) -> None:
        self.samples.append((moment, position))
        while len(self.samples) > 1 and moment - self.samples[0][0] > self.keep_seconds:
            self.samples.popleft()

    def age(self, moment: float, replayed: int) -> float:
        """Seconds since the earliest sample the replica has not replayed; 0 when it has replayed them all."""
        for sampled_at, position in self.samples:
            if replayed < position:
                return max(0.0, moment - sampled_at)
        return 0.0


class ReadRouter:
    """`engine()`: the replica when it is up and at most `max_lag` seconds behind, else the primary."""

    def __init__(self, primary: Engine, replica: Engine | None, max_lag: float, *,
                 interval: float = CHECK_INTERVAL, clock: Callable[[], float] = time.monotonic):
        self.primary, self.replica, self.max_lag = primary, replica, max_lag
        self.interval, self.clock = interval, clock
        self.gauge = LagGauge(keep_seconds=max(2 * max_lag, 10 * interval))
        self.lag: float | None = None  # the last measured age; None: down or never checked
        self._use_replica = False
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        if replica is not None:
            event.listen(replica, "handle_error", self._on_replica_error)

    def engine(self) -> Engine:
        if self.replica is None:
            return self.primary
        if self.clock() - self._checked_at >= self.interval and self._lock.acquire(blocking=False):
            threading.Thread(target=self._check_and_release, name="replica-check", daemon=True).start()
        return self.replica if self._use_replica and self._answers() else self.primary

    def _answers(self) -> bool:
        """One round trip on the replica (what a pool's pre-ping would cost): a replica that died since the last
        check sends this request to the primary instead of failing it."""
        assert self.replica is not None
        try:
            with self.replica.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as error:
            self._down(error)
            self._checked_at = self.clock()
            return False
        return True

    def _check_and_release(self) -> None:
        try:
            self._check()
        finally:
            self._lock.release()

    def _check(self) -> None:
        assert self.replica is not None
        self._checked_at = self.clock()
        try:
            self.gauge.sample(self.clock(), wal_position(self.primary))
            replayed = replayed_position(self.replica)
        except Exception as error:  # any failure of the check: read from the primary until the next one
            self._down(error)
            return
        self.lag = None if replayed is None else self.gauge.age(self.clock(), replayed)
        self._use_replica = self.lag is not None and self.lag <= self.max_lag
        self._checked_at = self.clock()  # a slow check does not count against the next interval

    def _down(self, error: BaseException) -> None:
        if self._use_replica or self.lag is not None:
            log.warning("read replica unavailable, reading from the primary: %s", str(error).splitlines()[0])
        self.lag = None
        self._use_replica = False

    def _on_replica_error(self, context) -> None:
        if context.is_disconnect or context.connection is None:
            self._down(context.original_exception)
            self._checked_at = self.clock()
