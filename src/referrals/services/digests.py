"""End-of-day digests: the new leads held back beyond a recipient's daily threshold go out together
once that recipient's partner's day is over. Idempotent: one digest per recipient and day."""

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Engine

from referrals import emails
from referrals.config import get_settings
from referrals.domain.notify import day_is_over
from referrals.store import digests
from referrals.store.db import reading, writing
from referrals.store.outbox import enqueue, message


def send_due_digests(engine: Engine, *, now: datetime) -> int:
    with reading(engine) as conn:
        pending = digests.pending_days(conn)
    due = {(r.recipient, r.day) for r in pending if day_is_over(r.day, r.timezone, now)}
    return sum(_send_digest(engine, recipient, day, now) for recipient, day in sorted(due))


def _send_digest(engine: Engine, recipient: str, day: date, now: datetime) -> int:
    """Queue one recipient's digest for one day and mark its items, in one transaction; answers 1 if queued."""
    with writing(engine) as conn:
        items = digests.held_items(conn, recipient, day)
        if not items:
            return 0  # another worker sent it
        by_language = defaultdict(list)
        for item in items:
            by_language[item.language].append(item.context)
        language = max(by_language, key=lambda lang: len(by_language[lang]))
        context = emails.digest_context([i.context for i in items], day.isoformat(), get_settings().base_url)
        sent = enqueue(conn, message(key=f"digest:{recipient}:{day.isoformat()}", template="digest",
                                     recipient=recipient, language=language, context=context, now=now,
                                     partner_id=items[0].partner_id))
        digests.mark_digested(conn, recipient, day, now)
    return sent
