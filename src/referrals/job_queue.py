"""The huey queue the jobs run on (jobs.py registers the tasks), and what /metrics reads of it.

By default the queue lives in an SQLite file beside the database; with REFERRALS_REDIS_URL, in Redis, shared by
every worker. Its tasks get time-ordered ids (UUID version 7: the first 48 bits are the enqueue time in
milliseconds) instead of huey's random ones, so the age of the task at the head of the queue can be read from the
queue itself, by any process, without a clock of its own in the task: that age is the queue's lag.
"""

import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from huey import Huey
from huey.api import TaskWrapper
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy.engine import make_url

from referrals.config import Settings


def time_ordered_id(_task: object = None) -> str:
    """A UUID version 7 (RFC 9562) of this moment."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis << 80) | (0x7 << 76) | ((rand >> 68) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def enqueued_at(task_id: str) -> datetime | None:
    """When a task with a time-ordered id was made; None for another kind of id (an older process's task)."""
    try:
        parsed = uuid.UUID(task_id)
    except (TypeError, ValueError):
        return None
    if parsed.version != 7:
        return None
    return datetime.fromtimestamp((parsed.int >> 80) / 1000, tz=UTC)


class _StampedTaskWrapper(TaskWrapper):
    def create_task(self, func, context=False, name=None, **settings):
        return super().create_task(func, context, name, create_id=time_ordered_id, **settings)


class StampedHuey(Huey):
    """huey whose tasks carry time-ordered ids (a retried task keeps its id: its due time counts then)."""

    def get_task_wrapper_class(self):
        return _StampedTaskWrapper


def queue_path(settings: Settings) -> str:
    if settings.jobs_path:
        return settings.jobs_path
    url = make_url(settings.database_url)
    if url.drivername.startswith("sqlite") and url.database:
        return str(Path(url.database).with_name(Path(url.database).stem + "-jobs.db"))
    return "referrals-jobs.db"


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return StampedHuey(settings.jobs_queue, storage_class=RedisStorage, url=settings.redis_url)
    return StampedHuey(settings.jobs_queue, storage_class=SqliteStorage, filename=queue_path(settings))


@dataclass(frozen=True)
class QueueBacklog:
    pending: int
    oldest_age: float | None  # seconds the task at the head has been due; 0 when empty; None when unknown


def backlog(queue: Huey, now: datetime) -> QueueBacklog:
    """Two cheap reads: the queue's length (a COUNT on huey's SQLite table, LLEN on Redis) and its head task, read
    as a raw message (the reading process need not have the task registered)."""
    pending = queue.pending_count()
    if not pending:
        return QueueBacklog(0, 0.0)
    head = queue.storage.enqueued_items(1)
    if not head:
        return QueueBacklog(pending, 0.0)
    message = queue.serializer.deserialize(head[0])
    made = enqueued_at(message.id)
    if made is None:
        return QueueBacklog(pending, None)
    eta = message.eta.replace(tzinfo=UTC) if message.eta is not None else None  # huey keeps naive UTC
    due = max(made, eta) if eta is not None else made
    return QueueBacklog(pending, max(0.0, (now - due).total_seconds()))
