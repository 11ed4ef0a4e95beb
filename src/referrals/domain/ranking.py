"""Ranking partners in the directory: relevance × fit × responsiveness × preference, each part in words
and numbers so a program admin can see why a partner ranks where it does (PRODUCT.md section 7)."""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from referrals.domain.enums import Outcome, Reason

STATS_WINDOW = timedelta(days=90)  # responsiveness looks at this much history
FIELD_WEIGHTS = {"keyword": 3.0, "product": 2.0, "name": 2.0, "industry": 1.5, "description": 1.0}
MISFIT = 0.6  # a preference (size, industry) the search does not meet
# Prior: a partner with no history is treated like one that answered 3 of 4 leads, promptly.
PRIOR_LEADS, PRIOR_ANSWERED, PRIOR_EXPIRED = 4.0, 3.0, 0.4
TYPICAL_RESPONSE_HOURS = 48.0
PREFERENCE_PRIOR = 4.0  # a feature seen on fewer leads than this barely moves the preference
# Closings that show a lead did not fit, even though it was accepted first.
POOR_FIT_REASONS = frozenset(
    {
        Reason.REQUIREMENT_NOT_MET,
        Reason.NOT_A_CUSTOMER,
        Reason.SPAM,
        Reason.BUDGET_NOT_ADEQUATE,
        Reason.TIMELINE_TOO_SHORT,
    }
)


@dataclass(frozen=True)
class Responsiveness:
    """A partner's actionable leads of the last 90 days."""

    leads: int = 0
    answered: int = 0
    expired: int = 0
    median_hours: float | None = None


def responsiveness_score(stats: Responsiveness) -> float:
    answered = (stats.answered + PRIOR_ANSWERED) / (stats.leads + PRIOR_LEADS)
    expired = (stats.expired + PRIOR_EXPIRED) / (stats.leads + PRIOR_LEADS)
    weight = stats.leads / (stats.leads + PRIOR_LEADS)
    speed = 1.0 if stats.median_hours is None else 1 / (1 + stats.median_hours / TYPICAL_RESPONSE_HOURS)
    prompt = weight * speed + (1 - weight) * (1 / (1 + 24 / TYPICAL_RESPONSE_HOURS))
    return max(0.02, min(1.0, answered * (1 - expired) * (0.5 + 0.5 * prompt)))


def lead_signal(outcome: Outcome | None, reason: Reason | None, accepted: bool) -> int:
    """What a lead's end says about what the partner wants: +1 like it, -1 not like it, 0 nothing.

    Won is positive. Declined is negative. Accepted and later lost as a poor fit is negative too, so
    accepting everything buys no ranking; accepted leads still open or lost to a competitor say nothing.
    """
    if outcome is Outcome.WON:
        return 1
    if outcome is Outcome.DECLINED:
        return -1
    if outcome is Outcome.LOST and accepted and reason in POOR_FIT_REASONS:
        return -1
    return 0


@dataclass(frozen=True)
class Preference:
    """Per (feature, value): how many leads with it the partner liked and did not like."""

    counts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    liked: int = 0
    disliked: int = 0


def preference_score(preference: Preference, features: list[tuple[str, str]]) -> float:
    """Above 1 for searches like the leads the partner wins, below 1 like the ones it declines."""
    if not features:
        return 1.0
    base = (preference.liked + 1) / (preference.liked + preference.disliked + 2)
    logs = []
    for feature in features:
        liked, disliked = preference.counts.get(feature, (0, 0))
        share = (liked + PREFERENCE_PRIOR * base) / (liked + disliked + PREFERENCE_PRIOR)
        logs.append(math.log(share / base))
    return max(0.4, min(1.6, math.exp(sum(logs) / len(logs))))


def relevance_score(query_terms: list[str], matches: dict[str, float]) -> float:
    """Share of the query's weight a profile matches (each term counts its best field), 1 without a query."""
    if not query_terms:
        return 1.0
    return sum(matches.get(term, 0.0) for term in query_terms) / (max(FIELD_WEIGHTS.values()) * len(query_terms))


def fit_score(*, sizes: tuple[str, ...], industries: tuple[str, ...], size: str | None, industry: str | None) -> float:
    score = 1.0
    if size and sizes and size not in sizes:
        score *= MISFIT
    if industry and industries and industry not in industries:
        score *= MISFIT
    return score


@dataclass(frozen=True)
class Score:
    relevance: float
    fit: float
    responsiveness: float
    preference: float

    @property
    def total(self) -> float:
        return self.relevance * self.fit * self.responsiveness * self.preference
