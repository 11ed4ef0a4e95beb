"""No personal data in the job queue (docs/privacy.md): an erasure cannot reach a payload waiting in Redis or in
huey's SQLite file, so every task takes ids only — a bulk job's query, which may search for a person, is read from
its row (`bulk_jobs`, which the erasure redacts), never carried in the queue."""

import inspect

from huey.api import TaskWrapper

from referrals import jobs

IDS = {"partner_id", "job_id"}


def test_every_queued_task_takes_ids_only():
    tasks = {name: value for name, value in vars(jobs).items() if isinstance(value, TaskWrapper)}
    assert "run_bulk_job" in tasks and len(tasks) >= 10

    for name, task in tasks.items():
        assert set(inspect.signature(task.func).parameters) <= IDS, name
