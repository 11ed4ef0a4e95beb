"""The public partner directory: search ranked by relevance × fit × responsiveness × preference, and
the Contact me request that becomes a profile lead for the partner at the location shown."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.checks import collecting
from referrals.domain.enums import LeadType, Qualification, ReferrerKind, Source
from referrals.domain.errors import InvalidInput, NotFound
from referrals.domain.lead import Customer, Origin
from referrals.domain.profile import Profile, ProfileLocation
from referrals.domain.ranking import (
    Preference,
    Responsiveness,
    Score,
    fit_score,
    preference_score,
    relevance_score,
    responsiveness_score,
)
from referrals.domain.search_text import terms
from referrals.services.ingest import LeadDraft, ingest_lead
from referrals.services.partner_stats import lead_features
from referrals.services.profiles import load_profile
from referrals.store import directory as directory_index
from referrals.store.db import reading
from referrals.store.profiles import is_published
from referrals.store.stats import preferences_of, stats_of

MAX_RESULTS = 50


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    country: str | None = None
    company_size: str | None = None
    industry: str | None = None
    limit: int = 20
    soft_text: bool = False  # suggestions: the text ranks partners but does not exclude any


@dataclass(frozen=True)
class Hit:
    partner_id: str
    name: str
    description: str
    location: ProfileLocation | None
    score: Score


def _candidates(conn: Connection, query: SearchQuery, query_terms: list[str]) -> dict[str, dict[str, float]]:
    """Published partners passing the filters, each with its best weight per matched query term."""
    if not query_terms or query.soft_text:
        published = directory_index.published_partners(conn, query.country)
        everyone: dict[str, dict[str, float]] = {partner_id: {} for partner_id in published}
        if not query_terms:
            return everyone
    matches: dict[str, dict[str, float]] = {}
    for row in directory_index.term_matches(conn, query_terms, query.country):
        matches.setdefault(row.partner_id, {})[row.term] = float(row.weight)
    if query.soft_text:
        return {partner_id: matches.get(partner_id, {}) for partner_id in everyone}
    return matches


def _behaviour(conn: Connection, partner_ids: list[str]) -> tuple[dict, dict]:
    stats = {r.partner_id: r for r in stats_of(conn, partner_ids)}
    prefs: dict[str, dict] = {}
    for r in preferences_of(conn, partner_ids):
        prefs.setdefault(r.partner_id, {})[(r.feature, r.value)] = (r.liked, r.disliked)
    return stats, prefs


def score_partner(
    profile: Profile, matches: dict[str, float], query: SearchQuery, query_terms: list[str], stats, prefs: dict
) -> Score:
    responsiveness = Responsiveness()
    liked = disliked = 0
    if stats is not None:
        median = float(stats.median_hours) if stats.median_hours is not None else None
        responsiveness = Responsiveness(stats.leads, stats.answered, stats.expired, median)
        liked, disliked = stats.liked, stats.disliked
    features = lead_features(query.industry, query.company_size, query.country, query.text)
    relevance = relevance_score(query_terms, matches)
    return Score(
        relevance=0.2 + 0.8 * relevance if query.soft_text else relevance,
        fit=fit_score(
            sizes=profile.company_sizes, industries=profile.industries, size=query.company_size, industry=query.industry
        ),
        responsiveness=responsiveness_score(responsiveness),
        preference=preference_score(Preference(prefs, liked, disliked), features),
    )


def _location_for(profile: Profile, country: str | None) -> ProfileLocation | None:
    for location in profile.locations:
        if country and location.country == country:
            return location
    return profile.locations[0] if profile.locations else None


def search(engine: Engine, query: SearchQuery) -> list[Hit]:
    query_terms = terms(query.text)
    with reading(engine) as conn:
        candidates = _candidates(conn, query, query_terms)
        stats, prefs = _behaviour(conn, list(candidates))
        hits = []
        for partner_id, matches in candidates.items():
            profile = load_profile(conn, partner_id)
            score = score_partner(
                profile, matches, query, query_terms, stats.get(partner_id), prefs.get(partner_id, {})
            )
            hits.append(
                Hit(partner_id, profile.name, profile.description, _location_for(profile, query.country), score)
            )
    hits.sort(key=lambda hit: (-hit.score.total, hit.name, hit.partner_id))
    return hits[: max(1, min(query.limit, MAX_RESULTS))]


def suggest_partners(engine: Engine, *, need: str, country: str | None, company_size: str | None,
                     industry: str | None, limit: int = 5) -> list[Hit]:
    """Partners ranked for a lead program staff are about to send, with the directory's own model."""
    query = SearchQuery(need, country, company_size, industry, limit=limit, soft_text=True)
    hits = search(engine, query)
    if not hits and country:  # nobody serves that country: rank everyone rather than suggest nothing
        hits = search(engine, SearchQuery(need, None, company_size, industry, limit=limit, soft_text=True))
    return hits


def public_profile(engine: Engine, partner_id: str) -> Profile:
    with reading(engine) as conn:
        if not is_published(conn, partner_id):
            raise NotFound("No such partner in the directory.")
        return load_profile(conn, partner_id)


@dataclass(frozen=True)
class ContactRequest:
    location_id: str
    company: str
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    country: str | None = None
    company_size: str | None = None
    industry: str | None = None
    need: str = ""
    consent: bool = False


def contact_partner(engine: Engine, partner_id: str, request: ContactRequest, *, now: datetime) -> str:
    """A customer's Contact me request: one profile lead for the partner at the location shown, with the customer's
    country (the list's `contact_me` filter, the flame and the urgency sort take it as a Contact me lead). Answers a
    receipt number for the customer, never the lead."""
    profile = public_profile(engine, partner_id)
    with collecting("The request is incomplete") as problems:
        if not request.consent:
            problems.add("consent", "must be given so the partner may contact you")
        problems.require_text("company", request.company, max_length=200)
        problems.require_text("last_name", request.last_name, max_length=100)
        problems.limit_text("first_name", request.first_name, max_length=100)
        problems.require_email("email", request.email)
        problems.limit_text("phone", request.phone, max_length=50)
        if not request.country:  # a directory request is a Contact me lead like any other: it says where from
            problems.add("country", "is required")
        problems.require_text("need", request.need, max_length=4000, multiline=True)
        if request.location_id not in {loc.id for loc in profile.locations}:
            problems.add("location_id", "is not a location of this partner")
    receipt = "R-" + secrets.token_hex(6).upper()
    origin = Origin(Qualification.DIRECT, Source.APPSOURCE, LeadType.PROFILE, referrer_kind=ReferrerKind.DIRECTORY)
    customer = Customer(
        request.company,
        request.first_name,
        request.last_name,
        "",
        request.email,
        request.phone,
        request.country,
        request.company_size,
        request.industry,
    )
    draft = LeadDraft(
        partner_id=partner_id,
        origin=origin,
        customer=customer,
        message=request.need,
        customer_requested_contact=True,
        location_id=request.location_id,
        external_id=f"directory:{receipt}",
    )
    result = ingest_lead(engine, draft, now=now)
    if result.error is not None:
        raise InvalidInput(result.error.message, fields=result.error.fields)
    return receipt
