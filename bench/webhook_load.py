"""A webhook listening to every event of the ingest partner, for measuring what listening costs the hot paths
(`runner.py --only-ingest --webhook`). Nothing is delivered: the benchmark server runs no job worker, and the
deliveries it queued are removed with the webhook."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, select

from referrals.store.db import reading, writing
from referrals.store.ids import new_id
from referrals.store.tables import webhook_deliveries, webhooks


@contextmanager
def listening(engine: Engine, partner_id: str) -> Iterator[dict]:
    """A partner webhook on every event while the block runs; yields a dict that gets `deliveries` (queued)."""
    webhook_id, found = new_id(), {}
    with writing(engine) as conn:
        conn.execute(webhooks.insert().values(
            id=webhook_id, partner_id=partner_id, kind="standard", url="https://hooks.example.invalid/bench",
            events=["*"], description="bench", secret="whsec_" + "A" * 32, active=True, created_at=datetime.now(UTC)))
    try:
        yield found
    finally:
        with reading(engine) as conn:
            found["deliveries"] = conn.execute(select(func.count()).select_from(webhook_deliveries).where(
                webhook_deliveries.c.webhook_id == webhook_id)).scalar_one()
        with writing(engine) as conn:
            conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.webhook_id == webhook_id))
            conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id))
