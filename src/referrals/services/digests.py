"""End-of-day digests: the new leads held back beyond a recipient's daily threshold go out together
once that recipient's partner's day is over. Idempotent: one digest per recipient and day."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine, select, update

from referrals import emails
from referrals.config import get_settings
from referrals.domain.notify import day_is_over
from referrals.store.db import reading, writing
from referrals.store.outbox import enqueue, message
from referrals.store.tables import digest_items


def send_due_digests(engine: Engine, *, now: datetime) -> int:
    settings = get_settings()
    with reading(engine) as conn:
        pending = conn.execute(
            select(digest_items.c.recipient, digest_items.c.day, digest_items.c.timezone)
            .where(digest_items.c.digested_at.is_(None))
            .distinct()
        ).all()
    due = {(r.recipient, r.day) for r in pending if day_is_over(r.day, r.timezone, now)}
    sent = 0
    for recipient, day in sorted(due):
        with writing(engine) as conn:
            items = conn.execute(
                select(digest_items)
                .where(digest_items.c.recipient == recipient, digest_items.c.day == day,
                       digest_items.c.digested_at.is_(None))
                .order_by(digest_items.c.lead_id)
            ).all()
            if not items:
                continue  # another worker sent it
            by_language = defaultdict(list)
            for item in items:
                by_language[item.language].append(item.context)
            language = max(by_language, key=lambda lang: len(by_language[lang]))
            context = emails.digest_context([i.context for i in items], day.isoformat(), settings.base_url)
            sent += enqueue(conn, message(key=f"digest:{recipient}:{day.isoformat()}", template="digest",
                                          recipient=recipient, language=language, context=context, now=now,
                                          partner_id=items[0].partner_id))
            conn.execute(
                update(digest_items)
                .where(digest_items.c.recipient == recipient, digest_items.c.day == day,
                       digest_items.c.digested_at.is_(None))
                .values(digested_at=now)
            )
    return sent
