"""Refreshing what the directory knows of each partner's behaviour: responsiveness over the last 90 days
of actionable leads, and the preference counts learnt from accepted, won, lost and declined leads.
A scheduled job; set-based reads, one transaction per partner written."""

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Engine

from referrals.domain.enums import Outcome, Reason
from referrals.domain.ranking import STATS_WINDOW, lead_signal
from referrals.domain.search_text import terms
from referrals.store import stats as store
from referrals.store.db import reading, writing

PREFERENCE_WINDOW = timedelta(days=365)
LEARNT_FROM = [Outcome.WON.value, Outcome.LOST.value, Outcome.DECLINED.value]


def lead_features(industry: str | None, size: str | None, country: str | None, need: str) -> list[tuple[str, str]]:
    """The facts of a lead (or a search) that preferences are learnt and applied on."""
    features = [("industry", industry), ("size", size), ("country", country)]
    found = [(name, value) for name, value in features if value]
    found += [("need", term) for term in terms(need)[:12]]
    return found


def refresh_partner_stats(engine: Engine, *, now: datetime) -> int:
    with reading(engine) as conn:
        partner_ids = store.all_partner_ids(conn)
        rows = store.response_rows(conn, now - STATS_WINDOW, now)
        learnt = store.outcome_rows(conn, LEARNT_FROM, now - PREFERENCE_WINDOW)
    counts, hours = _responsiveness(rows)
    prefs = _preferences(learnt)
    for partner_id in partner_ids:
        _write(engine, partner_id, counts[partner_id], hours[partner_id], prefs[partner_id], now)
    return len(partner_ids)


def _responsiveness(rows) -> tuple[dict[str, list[int]], dict[str, list[float]]]:
    """Per partner: [leads, answered, expired] and the hours to each first action."""
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
    return counts, hours


def _preferences(learnt) -> dict[str, dict[tuple[str, str], list[int]]]:
    """Per partner and feature: [liked, disliked]; the ("_all", "") feature counts every signal."""
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
    return prefs


def _write(engine: Engine, partner_id: str, tally, hours, prefs, now: datetime) -> None:
    liked, disliked = prefs.pop(("_all", ""), [0, 0])
    stats = {
        "leads": tally[0],
        "answered": tally[1],
        "expired": tally[2],
        "median_hours": round(statistics.median(hours), 2) if hours else None,
        "liked": liked,
        "disliked": disliked,
        "computed_at": now,
    }
    preferences = [
        {"feature": f, "value": v[:100], "liked": n[0], "disliked": n[1]} for (f, v), n in prefs.items()
    ]
    with writing(engine) as conn:
        store.replace_stats(conn, partner_id, stats)
        store.replace_preferences(conn, partner_id, preferences)
