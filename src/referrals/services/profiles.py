"""Business profiles: read by everyone in the partner, written by its Business profile admins. Saving a
profile re-indexes it for the directory (only published profiles are findable)."""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput, NotFound
from referrals.domain.profile import Profile, ProfileLocation, check_profile
from referrals.domain.ranking import FIELD_WEIGHTS
from referrals.domain.search_text import terms
from referrals.store import directory as directory_index
from referrals.store import profiles as store
from referrals.store.db import reading, writing
from referrals.store.ids import new_id


def _partner_of(principal: Principal) -> str:
    if principal.partner_id is None:
        raise Forbidden("Only a partner's people have a business profile.")
    return principal.partner_id


def load_profile(conn: Connection, partner_id: str) -> Profile:
    name = store.partner_name(conn, partner_id)
    if name is None:
        raise NotFound("No such partner.")
    places = tuple(
        ProfileLocation(r.id, r.country, r.city, r.address, r.contact_name, r.contact_email, r.contact_phone)
        for r in store.locations_of(conn, partner_id)
    )
    row = store.profile_row(conn, partner_id)
    if row is None:
        return Profile(partner_id, name, locations=places)
    return Profile(
        partner_id,
        row.name,
        row.description,
        row.website,
        tuple(row.keywords),
        tuple(row.industries),
        tuple(row.products),
        tuple(row.company_sizes),
        tuple(row.countries),
        bool(row.published),
        places,
    )


def get_profile(engine: Engine, principal: Principal) -> Profile:
    with reading(engine) as conn:
        return load_profile(conn, _partner_of(principal))


def save_profile(engine: Engine, principal: Principal, profile: Profile, *, now: datetime) -> Profile:
    partner_id = _partner_of(principal)
    if not principal.has(Role.BUSINESS_PROFILE_ADMIN):
        raise Forbidden("Only a Business profile admin can edit the business profile.")
    profile = check_profile(replace(profile, partner_id=partner_id))
    with writing(engine) as conn:
        saved = _save_locations(conn, partner_id, profile.locations, now)
        profile = replace(profile, locations=saved)
        values = {
            "name": profile.name,
            "description": profile.description,
            "website": profile.website,
            "keywords": list(profile.keywords),
            "industries": list(profile.industries),
            "products": list(profile.products),
            "company_sizes": list(profile.company_sizes),
            "countries": list(profile.countries),
            "published": profile.published,
            "updated_at": now,
        }
        store.save_profile_row(conn, partner_id, values)
        index_profile(conn, profile)
    return profile


def _save_locations(conn: Connection, partner_id: str, wanted: tuple[ProfileLocation, ...], now: datetime):
    existing = store.location_ids(conn, partner_id)
    unknown = [loc.id for loc in wanted if loc.id and loc.id not in existing]
    if unknown:
        raise InvalidInput("Unknown location ids.", fields={"locations": f"unknown ids: {', '.join(unknown)}"})
    kept = {loc.id for loc in wanted if loc.id}
    for gone in sorted(existing - kept):
        used = store.leads_at(conn, partner_id, gone)
        if used:
            raise InvalidInput(
                f"Location {gone} has {used} leads and cannot be removed.",
                fields={"locations": "removes a used location"},
            )
        store.remove_location(conn, partner_id, gone)
    saved = []
    for loc in wanted:
        values = {
            "country": loc.country,
            "city": loc.city,
            "address": loc.address,
            "contact_name": loc.contact_name,
            "contact_email": loc.contact_email,
            "contact_phone": loc.contact_phone,
        }
        if loc.id:
            store.update_location(conn, partner_id, loc.id, values)
            saved.append(loc)
        else:
            loc = replace(loc, id=new_id())
            store.add_location(conn, partner_id, loc.id, now, values)
            saved.append(loc)
    return tuple(saved)


def index_profile(conn: Connection, profile: Profile) -> None:
    """Replace the profile's search terms and facets (none while it is unpublished)."""
    directory_index.clear_index(conn, profile.partner_id)
    if not profile.published:
        return
    weights: dict[str, float] = {}
    fields = (
        ("keyword", " ".join(profile.keywords)),
        ("product", " ".join(profile.products)),
        ("name", profile.name),
        ("industry", " ".join(i.replace("_", " ") for i in profile.industries)),
        ("description", profile.description),
    )
    for field_name, text in fields:
        for term in terms(text):
            weights[term[:100]] = max(weights.get(term[:100], 0.0), FIELD_WEIGHTS[field_name])
    facets = {("country", c) for c in profile.countries} | {("country", loc.country) for loc in profile.locations}
    facets |= {("size", s) for s in profile.company_sizes} | {("industry", i) for i in profile.industries}
    directory_index.add_to_index(conn, profile.partner_id, weights, sorted(facets))
