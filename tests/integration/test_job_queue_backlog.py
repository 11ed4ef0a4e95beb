"""The job queue's length and lag as /metrics reads them, on huey's SQLite queue and on Redis: every task gets a
time-ordered id, so the age of the task at the head of the queue is read from the queue itself, by a process that
has none of the tasks registered."""

import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from huey import crontab
from huey.storage import RedisStorage, SqliteStorage

from referrals.job_queue import StampedHuey, backlog, enqueued_at, time_ordered_id
from tests.conftest import skip_missing_backend
from tests.e2e.limits_support import REDIS_URL


def test_a_time_ordered_id_is_a_uuid7_that_says_when_it_was_made():
    before = datetime.now(UTC)
    made = time_ordered_id()
    after = datetime.now(UTC)
    assert uuid.UUID(made).version == 7 and uuid.UUID(made).variant == uuid.RFC_4122
    assert before - timedelta(milliseconds=1) <= enqueued_at(made) <= after
    assert enqueued_at(str(uuid.uuid4())) is None and enqueued_at("not-an-id") is None
    time.sleep(0.002)
    assert time_ordered_id() > made  # later ids sort after: the head of a queue is its oldest


def _queues(tmp_path):
    yield "sqlite", lambda name: StampedHuey(name, storage_class=SqliteStorage, filename=str(tmp_path / "jobs.db"))
    yield "redis", lambda name: StampedHuey(name, storage_class=RedisStorage, url=REDIS_URL)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_the_backlog_is_the_queue_length_and_the_age_of_its_head(tmp_path, kind):
    name = f"referrals-test-{secrets.token_hex(4)}"
    queue = dict(_queues(tmp_path))[kind](name)
    if kind == "redis":
        try:
            queue.storage.conn.ping()
        except Exception as error:  # noqa: BLE001 (whatever redis says)
            skip_missing_backend("redis", f"{REDIS_URL}: {error}")
    try:
        work = queue.task(name="work")(lambda: None)
        tick = queue.periodic_task(crontab(minute="*"), name="tick")(lambda: None)
        assert uuid.UUID(tick.s().id).version == 7  # the scheduler's periodic tasks too
        now = datetime.now(UTC)
        assert backlog(queue, now).pending == 0 and backlog(queue, now).oldest_age == 0
        first = work()
        work()
        # read by another process's queue object: nothing registered there
        found = backlog(dict(_queues(tmp_path))[kind](name), now + timedelta(seconds=60))
        assert found.pending == 2
        assert 59 <= found.oldest_age <= 61
        assert enqueued_at(first.id) is not None
    finally:
        queue.storage.flush_queue()
