"""Refreshing what the directory knows of each partner's behaviour: responsiveness over the last 90 days
of actionable leads, and the preference counts learnt from accepted, won, lost and declined leads.
A scheduled job; set-based reads, one transaction per partner written."""

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from referrals.domain.enums import Outcome, Reason
from referrals.domain.ranking import STATS_WINDOW, lead_signal
from referrals.domain.search_text import terms
from referrals.store.db import reading, writing
from referrals.store.tables import leads, partner_preferences, partner_stats, partners

PREFERENCE_WINDOW = timedelta(days=365)


def lead_features(industry: str | None, size: str | None, country: str | None, need: str) -> list[tuple[str, str]]:
    """The facts of a lead (or a search) that preferences are learnt and applied on."""
    features = [("industry", industry), ("size", size), ("country", country)]
    found = [(name, value) for name, value in features if value]
    found += [("need", term) for term in terms(need)[:12]]
    return found


def refresh_partner_stats(engine: Engine, *, now: datetime) -> int:
    since = now - STATS_WINDOW
    with reading(engine) as conn:
        partner_ids = list(conn.execute(select(partners.c.id)).scalars())
        rows = conn.execute(
            select(
                leads.c.partner_id, leads.c.created_at, leads.c.accepted_at, leads.c.archived_at, leads.c.outcome
            ).where(leads.c.informational.is_(False), leads.c.created_at >= since, leads.c.created_at <= now)
        ).all()
        learnt = conn.execute(
            select(
                leads.c.partner_id,
                leads.c.outcome,
                leads.c.closing_reason,
                leads.c.accepted_at,
                leads.c.customer_industry,
                leads.c.customer_company_size,
                leads.c.customer_country,
                leads.c.message,
            ).where(
                leads.c.outcome.in_([Outcome.WON.value, Outcome.LOST.value, Outcome.DECLINED.value]),
                leads.c.created_at >= now - PREFERENCE_WINDOW,
            )
        ).all()
    counts = defaultdict(lambda: [0, 0, 0])
    hours = defaultdict(list)
    for row in rows:
        tally = counts[row.partner_id]
        tally[0] += 1
        first_action = row.accepted_at or (row.archived_at if row.outcome == Outcome.DECLINED.value else None)
        if first_action is not None:
            tally[1] += 1
            hours[row.partner_id].append((first_action - row.created_at).total_seconds() / 3600)
        elif row.outcome == Outcome.EXPIRED.value:
            tally[2] += 1
    prefs: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in learnt:
        reason = Reason(row.closing_reason) if row.closing_reason else None
        signal = lead_signal(Outcome(row.outcome), reason, row.accepted_at is not None)
        if signal:
            for feature in lead_features(
                row.customer_industry, row.customer_company_size, row.customer_country, row.message
            ):
                prefs[row.partner_id][feature][0 if signal > 0 else 1] += 1
            prefs[row.partner_id][("_all", "")][0 if signal > 0 else 1] += 1
    for partner_id in partner_ids:
        _write(engine, partner_id, counts[partner_id], hours[partner_id], prefs[partner_id], now)
    return len(partner_ids)


def _write(engine: Engine, partner_id: str, tally, hours, prefs, now: datetime) -> None:
    liked, disliked = prefs.pop(("_all", ""), [0, 0])
    with writing(engine) as conn:
        conn.execute(delete(partner_stats).where(partner_stats.c.partner_id == partner_id))
        conn.execute(
            insert(partner_stats).values(
                partner_id=partner_id,
                leads=tally[0],
                answered=tally[1],
                expired=tally[2],
                median_hours=round(statistics.median(hours), 2) if hours else None,
                liked=liked,
                disliked=disliked,
                computed_at=now,
            )
        )
        conn.execute(delete(partner_preferences).where(partner_preferences.c.partner_id == partner_id))
        if prefs:
            conn.execute(
                insert(partner_preferences),
                [
                    {"partner_id": partner_id, "feature": f, "value": v[:100], "liked": n[0], "disliked": n[1]}
                    for (f, v), n in prefs.items()
                ],
            )
